"""Each broken input yields the expected finding, naming the file (and line), and exit 1."""
from __future__ import annotations

import re
import shutil

import pytest

from harness import BROKEN

MANIFESTS = BROKEN / "manifests"

CASES = [
    # fixture, check, rule, line, text the message must contain
    ("unknown-field.yaml", "kubeconform", "schema", 8, "additional properties 'colour'"),
    ("wrong-type.yaml", "kubeconform", "schema", 9, "/spec/ports/0/port: got string, want integer"),
    ("removed-api.yaml", "kubeconform", "removed-api", 1, "use policy/v1"),
    ("duplicate-key.yaml", "yaml", "duplicate-key", 8, "duplicate key 'mode'"),
    ("malformed.yaml", "yaml", "syntax", 6, ""),
    ("alias-bomb.yaml", "yaml", "alias-bomb", 1, "alias bomb"),
    ("not-utf8.yaml", "yaml", "encoding", 6, "not UTF-8"),
    ("policy-deny.yaml", "policy", "pss.baseline.privileged-containers", 11, "privileged"),
]


@pytest.mark.parametrize("fixture,check,rule,line,text", CASES, ids=[c[0] for c in CASES])
def test_broken_manifest(run_cli, fixture, check, rule, line, text):
    outcome = run_cli("validate", "--format", "json", str(MANIFESTS / fixture))
    assert outcome.code == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    matches = outcome.findings(check=check, rule=rule)
    assert matches, outcome.json["findings"]
    assert matches[0]["file"] == f"tests/fixtures/broken/manifests/{fixture}"
    assert matches[0]["line"] == line
    assert text in matches[0]["message"]
    assert matches[0]["severity"] == "error"


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_missing_kustomize_resource(run_cli, repo_copy):
    kustomization = repo_copy / "overlays" / "dev" / "trust-anchor" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "resources:\n", "resources:\n  - does-not-exist.yaml\n", 1))
    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(check="kustomize", rule="missing-file")
    assert item["file"] == "overlays/dev/trust-anchor/kustomization.yaml"
    assert item["line"] and "does-not-exist.yaml" in item["message"]


def test_kustomization_cycle(run_cli, repo_copy):
    _write(repo_copy / "base" / "loop-a" / "kustomization.yaml", "resources:\n  - ../loop-b\n")
    _write(repo_copy / "base" / "loop-b" / "kustomization.yaml", "resources:\n  - ../loop-a\n")
    _write(repo_copy / "overlays" / "dev" / "loop" / "kustomization.yaml",
           "resources:\n  - ../../../base/loop-a\n")
    outcome = run_cli("validate", "--format", "json", "overlays/dev/loop", cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(check="kustomize", rule="cycle")
    assert "base/loop-a" in item["message"] and "base/loop-b" in item["message"]
    assert item["file"] == "base/loop-b/kustomization.yaml"


def test_duplicate_key_in_a_base_is_found_through_the_overlay(run_cli, repo_copy):
    secret = repo_copy / "base" / "services" / "trust-anchor" / "external-secret.yaml"
    text = secret.read_text()
    line = text.splitlines().index("kind: ExternalSecret") + 2
    secret.write_text(text.replace("kind: ExternalSecret\n",
                                   "kind: ExternalSecret\nkind: ExternalSecret\n", 1))
    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(check="yaml", rule="duplicate-key")
    assert item["file"] == "base/services/trust-anchor/external-secret.yaml"
    assert item["line"] == line


def test_remote_base_is_refused_before_rendering(run_cli, repo_copy):
    _write(repo_copy / "overlays" / "dev" / "remote" / "kustomization.yaml",
           "resources:\n  - https://github.com/example/repo//base?ref=main\n")
    outcome = run_cli("validate", "--format", "json", "overlays/dev/remote", cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(rule="remote-reference")
    assert item["line"] == 2


def test_path_escaping_the_repo_is_refused(run_cli, repo_copy, tmp_path):
    outside = tmp_path / "outside"
    _write(outside / "kustomization.yaml", "resources: []\n")
    _write(repo_copy / "overlays" / "dev" / "escape" / "kustomization.yaml",
           "resources:\n  - ../../../../outside\n")
    outcome = run_cli("validate", "--format", "json", "overlays/dev/escape", cwd=repo_copy)
    assert outcome.code == 1
    assert outcome.findings(rule="outside-repo")


def test_symlink_outside_repo(run_cli, repo_copy, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (repo_copy / "base" / "leak.yaml").symlink_to(secret)
    outcome = run_cli("validate", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(rule="symlink-outside-repo")
    assert item["file"] == "base/leak.yaml"


def test_broken_env_config_is_a_schema_finding(run_cli, repo_copy):
    env = repo_copy / "overlays" / "staging" / "env.yaml"
    env.write_text(env.read_text().replace('kubernetesVersion: "1.34"', "kubernetesVersion: 133"))
    outcome = run_cli("validate", "--format", "json", cwd=repo_copy)
    assert outcome.code == 2
    assert "overlays/staging/env.yaml" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_unknown_env_is_a_usage_error(run_cli):
    outcome = run_cli("validate", "--env", "qa")
    assert outcome.code == 2
    assert "unknown env 'qa'" in outcome.stderr and "overlays/qa/env.yaml" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_missing_tool_is_a_tooling_error(run_cli, tmp_path):
    outcome = run_cli("validate", "overlays/dev/trust-anchor",
                      env={"MARTY_TOOLS_BIN": str(tmp_path / "empty"),
                           "MARTY_CACHE_DIR": str(tmp_path / "cold-cache")})
    assert outcome.code == 2
    assert re.search(r"^error: (kustomize|helm): not installed in \S+/empty; run `make bootstrap`$",
                     outcome.stderr.strip())
    assert "Traceback" not in outcome.stderr


def test_deliberately_bad_overlay_gets_one_finding_per_problem(run_cli, repo_copy):
    """privileged, hostNetwork, :latest, a plaintext Secret, no limits: each named once."""
    target = repo_copy / "overlays" / "dev" / "bad-app"
    shutil.copytree(BROKEN / "bad-overlay", target)
    outcome = run_cli("validate", "--format", "json", "overlays/dev/bad-app", cwd=repo_copy)
    assert outcome.code == 1
    expected = {
        "pss.baseline.privileged-containers": "overlays/dev/bad-app/deployment.yaml",
        "pss.baseline.host-namespaces": "overlays/dev/bad-app/deployment.yaml",
        "images.no-latest": "overlays/dev/bad-app/deployment.yaml",
        "credentials.no-secret-data": "overlays/dev/bad-app/secret.yaml",
        "resources.limits-required": "overlays/dev/bad-app/deployment.yaml",
    }
    # A rule that names its field points at the field's line, the others at the object's.
    field_lines = {"pss.baseline.privileged-containers": 44}
    for rule, file in expected.items():
        matches = outcome.findings(rule=rule)
        assert len(matches) == 1, (rule, matches)
        assert matches[0]["file"] == file and matches[0]["line"] == field_lines.get(rule, 1)
        assert matches[0]["severity"] == "error"


def test_schema_error_in_a_base_points_at_the_field(run_cli, repo_copy):
    """Through kustomize's origin annotations, a finding lands on the base file and field."""
    policy = repo_copy / "base" / "platform" / "network" / "default-deny.yaml"
    policy.write_text(policy.read_text().replace("  podSelector: {}\n",
                                                 "  podSelector: {}\n  podSelectr: {}\n"))
    outcome = run_cli("validate", "--format", "json", "overlays/dev/platform-network",
                      cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(check="kubeconform", rule="schema")
    assert item["file"] == "base/platform/network/default-deny.yaml"
    assert item["line"] == 7 and "podSelectr" in item["message"]


def test_chart_values_against_the_chart_schema(run_cli, repo_copy):
    """A value the chart's values.schema.json does not allow fails the render, said plainly, at
    the values source that set it (here the overlay's valuesInline)."""
    overlay = repo_copy / "overlays" / "dev" / "trust-anchor" / "kustomization.yaml"
    text = overlay.read_text()
    assert "      image:\n        tag:" in text
    overlay.write_text(text.replace("      image:\n", "      image:\n        colour: blue\n", 1))
    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo_copy)
    assert outcome.code == 1
    [item] = outcome.findings(check="kustomize", rule="values-schema")
    assert item["file"] == "overlays/dev/trust-anchor/kustomization.yaml"
    lines = overlay.read_text().splitlines()
    assert item["line"] == lines.index("        colour: blue") + 1
    assert "additional properties 'colour' not allowed" in item["message"]
    assert "unable to run" not in item["message"] and "accumulating" not in item["message"]
