"""Hostile or unusual manifests: each is a finding naming its file and line, never a crash, and
what Kubernetes would read differently from a naive YAML loader is read the way Kubernetes does."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: marty-prod
data:
"""


def validate(run_cli, path: Path, *args: str, cwd=None):
    outcome = run_cli("validate", "--format", "json", *args, str(path),
                      **({"cwd": cwd} if cwd else {}))
    assert "Traceback" not in outcome.stderr and outcome.code in (0, 1), \
        f"exit {outcome.code}: {outcome.stderr[-2000:]}"
    return outcome


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("style", ["flow", "block-sequence"])
def test_nesting_50000_deep_is_a_finding_not_a_segfault(run_cli, tmp_path, style):
    depth = 50_000
    body = "[" * depth + "]" * depth if style == "flow" else "- " * depth + "x"
    path = write(tmp_path, "deep.yaml", CONFIGMAP + f"  deep: '1'\n  nested: {body}\n"
                 if style == "flow" else CONFIGMAP + "  deep: '1'\nlist:\n" + body + "\n")
    outcome = validate(run_cli, path)
    assert outcome.code == 1
    [item] = outcome.findings(check="yaml", rule="too-deep")
    assert item["file"] == str(path) and item["line"] in (8, 9)


@pytest.mark.parametrize("value", ["2025-02-30", "2025-01-31", "2025-01-31T10:00:00Z"])
def test_unquoted_dates_are_strings_as_kubernetes_reads_them(run_cli, tmp_path, value):
    """sigs.k8s.io/yaml (go-yaml v2) keeps a date-like plain scalar as its text, valid or not:
    a ConfigMap's data value is a string, so this is a clean object."""
    path = write(tmp_path, "dates.yaml", CONFIGMAP + f"  when: {value}\n")
    outcome = validate(run_cli, path)
    assert outcome.code == 0, outcome.json["findings"]


@pytest.mark.parametrize("value,line", [
    ("!!binary aGVsbG8=", 8),
    ("!!set {a, b}", 8),
    (".nan", 8),
    ("-.inf", 8),
    ("1" * 400, 8),
    ("9223372036854775808", 8),
])
def test_values_json_cannot_carry_are_findings(run_cli, tmp_path, value, line):
    path = write(tmp_path, "odd.yaml", CONFIGMAP + f"  a: b\n  odd: {value}\n")
    outcome = validate(run_cli, path)
    assert outcome.code == 1
    [item] = outcome.findings(check="yaml", rule="not-json")
    assert item["file"] == str(path) and item["line"] == line


def test_keys_1_and_true_are_different_keys(run_cli, tmp_path):
    """Kubernetes turns both into JSON keys, "1" and "true": two keys, no duplicate."""
    path = write(tmp_path, "keys.yaml", CONFIGMAP + "  1: one\n  true: yes-string\n")
    outcome = validate(run_cli, path)
    assert not outcome.findings(rule="duplicate-key"), outcome.json["findings"]
    assert outcome.code == 0, outcome.json["findings"]


def test_key_1_and_quoted_1_are_the_same_json_key(run_cli, tmp_path):
    path = write(tmp_path, "keys.yaml", CONFIGMAP + "  1: one\n  '1': other\n")
    outcome = validate(run_cli, path)
    [item] = outcome.findings(check="yaml", rule="duplicate-key")
    assert item["line"] == 8 and "first defined on line 7" in item["message"]


def test_an_oversized_configmap_is_refused(run_cli, tmp_path):
    """The API server refuses ConfigMap data over 1 MiB; etcd refuses objects over 1.5 MiB."""
    chunk = "x" * 1000
    data = "".join(f"  key{i}: {chunk}\n" for i in range(1700))  # about 1.7 MB
    path = write(tmp_path, "big.yaml", CONFIGMAP + data)
    outcome = validate(run_cli, path)
    assert outcome.code == 1
    rules = {f["rule"] for f in outcome.findings(check="size")}
    assert rules == {"data-too-large", "object-too-large"}
    assert all(f["file"] == str(path) and f["line"] == 1 for f in outcome.findings(check="size"))


def test_a_configmap_just_under_the_limit_passes(run_cli, tmp_path):
    data = "".join(f"  key{i}: {'x' * 1000}\n" for i in range(1000))  # about 1.0 MB < 1 MiB
    outcome = validate(run_cli, write(tmp_path, "fine.yaml", CONFIGMAP + data))
    assert not outcome.findings(check="size"), outcome.findings(check="size")


HTTPROUTE = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: marty-prod
spec:
  parentRefs:
    - name: edge
"""


def test_a_crd_without_schema_is_not_a_removed_api(run_cli, tmp_path):
    """gateway.networking.k8s.io ends in .k8s.io but is not served by Kubernetes itself: without
    its CRD schema it is unchecked (no-schema), not removed."""
    path = write(tmp_path, "route.yaml", HTTPROUTE)
    outcome = run_cli("validate", "--format", "json", str(path),
                      env={"MARTY_CRD_SCHEMA_LOCATION": ""})
    assert not outcome.findings(rule="removed-api"), outcome.json["findings"]
    [item] = outcome.findings(check="kubeconform", rule="no-schema")
    assert item["file"] == str(path)
    assert outcome.json["stats"]["checks"]["kubeconform"]["not_checked"] == 1


def test_a_removed_builtin_api_is_still_reported(run_cli, tmp_path):
    path = write(tmp_path, "ingress.yaml", """apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
  namespace: marty-prod
spec: {}
""")
    outcome = validate(run_cli, path)
    [item] = outcome.findings(check="kubeconform", rule="removed-api")
    assert "networking.k8s.io/v1" in item["message"]


def test_next_minor_at_the_newest_known_version_is_said_not_skipped(run_cli, repo_copy):
    env_file = repo_copy / "overlays" / "prod" / "env.yaml"
    text = env_file.read_text(encoding="utf-8")
    current = json.dumps(next(line.split(":", 1)[1].strip().strip('"')
                              for line in text.splitlines()
                              if line.startswith("kubernetesVersion:")))
    env_file.write_text(text.replace(f"kubernetesVersion: {current}",
                                     'kubernetesVersion: "1.37"'), encoding="utf-8")
    outcome = validate(run_cli, repo_copy / "tests/fixtures/broken/manifests/removed-api.yaml",
                       cwd=repo_copy)
    [note] = outcome.findings(check="kubeconform", rule="next-minor-unknown")
    assert "1.38" in note["message"] and note["file"] == "overlays/prod/env.yaml"
    assert note["line"] == next(number for number, line in enumerate(
        env_file.read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith("kubernetesVersion:"))


def test_a_profile_schema_violation_is_reported_at_the_profile(run_cli, repo_copy):
    profile = repo_copy / "base" / "profiles" / "dev.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "\nreplicaCount: 1\n" in text
    profile.write_text(text.replace("\nreplicaCount: 1\n", '\nreplicaCount: "many"\n'),
                       encoding="utf-8")
    line = profile.read_text(encoding="utf-8").splitlines().index('replicaCount: "many"') + 1
    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor",
                      "overlays/dev/ui-app", cwd=repo_copy)
    assert outcome.code == 1
    [item] = [f for f in outcome.json["findings"] if f["severity"] == "error"]
    assert (item["file"], item["line"]) == ("base/profiles/dev.yaml", line)
    assert "/replicaCount" in item["message"] and "want integer" in item["message"]


def test_a_symlink_out_of_the_repo_in_a_manifest_directory_is_not_read(run_cli, repo_copy,
                                                                        tmp_path):
    secret = tmp_path / "outside.yaml"
    secret.write_text(CONFIGMAP + "  password: hunter2-outside\n", encoding="utf-8")
    manifests = repo_copy / "tests" / "adv-manifests"  # tests/ holds manifests, not sources
    manifests.mkdir()
    (manifests / "leak.yaml").symlink_to(secret)
    (manifests / "settings.yaml").write_text(CONFIGMAP + "  a: b\n", encoding="utf-8")
    outcome = validate(run_cli, Path("tests/adv-manifests"), cwd=repo_copy)
    [item] = outcome.findings(rule="symlink-outside-repo")
    assert item["file"] == "tests/adv-manifests/leak.yaml"
    assert "hunter2" not in outcome.stdout
    assert outcome.json["stats"]["checks"]["kubeconform"]["checked"] == 1
