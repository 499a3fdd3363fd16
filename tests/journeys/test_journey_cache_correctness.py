"""The result cache never serves a stale result: after a warm run, an edit to any kind of input
makes the next run report exactly what a run with an empty cache reports.

One warm cache is made once, on a copy of the tree trimmed to two overlays, in dev (trust-anchor,
which inflates the chart, and platform-namespaces), with a patch and a transformer config added
to trust-anchor so that those kinds of input exist, and trust-anchor's image by tag alone. Each
test copies the tree and the warm cache, edits one input, then validates twice: with the warm
cache and with an empty one. The full JSON reports must be equal, and (except for a tool
version, which changes no finding without another binary) the edit must change the findings, so
a stale cache could not pass unnoticed.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import ROOT, copy_checkout, tool_env

KEPT_DEV_OVERLAYS = {"trust-anchor", "platform-namespaces"}
OVERLAY = Path("overlays/dev/trust-anchor")
PATCH = """- op: add
  path: /metadata/labels/patched
  value: "yes"
"""
TRANSFORMER = """apiVersion: builtin
kind: LabelTransformer
metadata:
  name: cost-centre
labels:
  marty.dev/cost-centre: trust
fieldSpecs:
  - path: metadata/labels
    create: true
"""


def _validate(repo: Path, cache: Path, path: str = "overlays/dev") -> tuple[dict, str]:
    proc = subprocess.run([str(ROOT / "scripts" / "validate"), "--format", "json", "--verbose",
                           path], cwd=repo,
                          env={**tool_env(cache), "MARTY_CACHE_DIR": str(cache)},
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    # Secret values are redacted with a key drawn per process: the same value, another marker.
    return json.loads(re.sub(r"<redacted:[0-9a-f]+>", "<redacted>", proc.stdout)), proc.stderr


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The trimmed tree, a cache warmed on it, and the report of that warm run."""
    base = tmp_path_factory.mktemp("cache-correctness")
    repo = copy_checkout(base / "repo")
    for overlay in (repo / "overlays").glob("*/*/"):
        if overlay.parent.name != "dev" or overlay.name not in KEPT_DEV_OVERLAYS:
            shutil.rmtree(overlay)
    # Dev runs trust-anchor by tag alone, which it allows (the env-config edit forbids it).
    kustomization = repo / OVERLAY / "kustomization.yaml"
    kustomization.write_text(re.sub(r"\n +digest: sha256:[0-9a-f]+", "",
                                    kustomization.read_text(encoding="utf-8")), encoding="utf-8")
    (repo / OVERLAY / "patch.yaml").write_text(PATCH, encoding="utf-8")
    (repo / OVERLAY / "cost-centre.yaml").write_text(TRANSFORMER, encoding="utf-8")
    with (repo / OVERLAY / "kustomization.yaml").open("a", encoding="utf-8") as out:
        out.write("patches:\n  - path: patch.yaml\n    target: {kind: ExternalSecret}\n"
                  "transformers:\n  - cost-centre.yaml\n")
    cache = base / "cache"
    report, _ = _validate(repo, cache)
    return repo, cache, report


def _resource(repo: Path) -> None:
    _replace(repo / "base/services/trust-anchor/external-secret.yaml", "spec:\n",
             "spec:\n  unknownField: true\n")


def _patch(repo: Path) -> None:
    _replace(repo / OVERLAY / "patch.yaml", "/metadata/labels/patched", "/spec/patchedField")


def _transformer(repo: Path) -> None:
    _replace(repo / OVERLAY / "cost-centre.yaml", "path: metadata/labels",
             "path: spec/costCentre")


def _values(repo: Path) -> None:
    _replace(repo / "base/services/trust-anchor/values.yaml", "  app: 8080\n",
             "  app: not-a-port\n")


def _chart_template(repo: Path) -> None:
    template = repo / "charts/microservice/templates/service.yaml"
    text = template.read_text(encoding="utf-8")
    spec = re.search(r"^spec:\n", text, re.MULTILINE)
    assert spec, "the Service template has no spec"
    template.write_text(text[:spec.end()] + "  templatedField: true\n" + text[spec.end():],
                        encoding="utf-8")


def _policy(repo: Path) -> None:
    rego = repo / "policies/network-policy/network-policy.rego"
    _replace(rego, "no default-deny NetworkPolicy", "no NetworkPolicy denying by default")


def _waiver(repo: Path) -> None:
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    _replace(repo / "policies/exceptions.yaml", "exceptions:\n",
             "exceptions:\n  - rule: networkpolicy.default-deny\n    resource:\n"
             "      kind: Deployment\n      namespace: marty-dev\n      name: trust-anchor\n"
             "    env: dev\n"
             "    justification: The dev namespace is open while its policies are written.\n"
             f"    owner: platform\n    expires: {expires}\n")


def _env_config(repo: Path) -> None:
    _replace(repo / "overlays/dev/env.yaml", "requireDigest: false", "requireDigest: true")


def _crd_schema(repo: Path) -> None:
    path = repo / "schemas/crds/external-secrets.io/externalsecret_v1.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["required"] = [*schema.get("required", []), "status"]
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def _tool_version(repo: Path) -> None:
    toml = repo / "tools.toml"
    text = toml.read_text(encoding="utf-8")
    pinned = re.search(r'\[tools\.kubeconform\][^\[]*?version = "([^"]+)"', text)
    assert pinned, "tools.toml pins no kubeconform version"
    start, end = pinned.span(1)
    toml.write_text(text[:start] + pinned.group(1) + "-rebuilt" + text[end:], encoding="utf-8")


EDITS = {"resource": _resource, "patch": _patch, "transformer-config": _transformer,
         "values-file": _values, "chart-template": _chart_template, "policy": _policy,
         "waiver": _waiver, "env-config": _env_config, "crd-schema": _crd_schema,
         "tool-version": _tool_version}
# Edits inside trust-anchor's render: platform-namespaces' render stays cached.
ONE_OVERLAY = {"resource", "patch", "transformer-config", "values-file", "chart-template"}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_edit_after_a_warm_run_reports_what_a_cold_run_reports(kind, warm, tmp_path):
    warm_repo, warm_cache, before = warm
    repo = tmp_path / "repo"
    shutil.copytree(warm_repo, repo, symlinks=True)
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache, symlinks=True)
    EDITS[kind](repo)

    after, verbose = _validate(repo, cache)
    cold, _ = _validate(repo, tmp_path / "empty-cache")

    assert after == cold
    if kind == "tool-version":  # the same binary: no finding changes, but nothing is reused
        assert re.search(r"kubeconform dev .*objects: 0 cached", verbose), verbose
    else:
        assert after["findings"] != before["findings"], f"editing the {kind} changed no finding"
    if kind in ONE_OVERLAY:
        assert "cache: 1 hit, 1 rendered" in verbose, verbose


def test_a_repo_check_reruns_when_a_file_of_its_area_changes(warm, tmp_path):
    """helm lint is keyed by charts/ alone: a broken template after a warm run is reported."""
    warm_repo, warm_cache, _ = warm
    repo = tmp_path / "repo"
    shutil.copytree(warm_repo, repo, symlinks=True)
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache, symlinks=True)
    changed = "charts/microservice/templates/service.yaml"
    before, verbose = _validate(repo, cache, changed)
    assert re.search(r"\bhelm  \d+ findings?  \(ran\)", verbose), verbose
    assert _validate(repo, cache, changed)[1].count("(cached)") >= 4

    with (repo / changed).open("a", encoding="utf-8") as out:
        out.write("{{ end }}\n")
    after, _ = _validate(repo, cache, changed)
    cold, _ = _validate(repo, tmp_path / "empty-cache", changed)

    assert after == cold
    assert [f for f in after["findings"] if f["check"] == "helm"], after["findings"]
    assert after["findings"] != before["findings"]


def _copy_warm(warm, tmp_path: Path) -> tuple[Path, Path]:
    warm_repo, warm_cache, _ = warm
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    shutil.copytree(warm_repo, repo, symlinks=True)
    shutil.copytree(warm_cache, cache, symlinks=True)
    shutil.rmtree(cache / "results")  # every check runs and reads the per-object caches
    return repo, cache


def test_a_damaged_or_foreign_cache_is_a_miss(warm, tmp_path):
    """Entries another version of the tooling wrote (scanner results of another shape), a
    truncated render and unparsable scanner files: each is a miss, never an internal error."""
    repo, cache = _copy_warm(warm, tmp_path)
    scans = sorted((cache / "scans").glob("*/*.json"))
    assert scans, "the warm run cached no scanner results"
    for number, path in enumerate(scans):
        if number % 2:
            path.write_text('{"entries": {', encoding="utf-8")
        else:  # the keys a current run looks up, holding results of another shape
            stored = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(json.dumps({key: [{"unexpected": True}] for key in
                                        stored.get("entries", stored)}), encoding="utf-8")
    renders = sorted((cache / "render").glob("*.json"))
    assert renders, "the warm run cached no render"
    renders[0].write_text(renders[0].read_text(encoding="utf-8")[:100], encoding="utf-8")
    renders[-1].write_text('[{"file": 3}]', encoding="utf-8")

    damaged, _ = _validate(repo, cache)
    cold, _ = _validate(repo, tmp_path / "empty-cache")

    assert damaged == cold
    assert not [f for f in damaged["findings"] if f["rule"] == "internal-error"]


def test_cache_entries_that_cannot_be_written_are_skipped(warm, tmp_path):
    """A cache directory deep inside the cache another user owns (here a file in its place,
    which no user can write into, root too): the run reports what a cold run reports."""
    repo, cache = _copy_warm(warm, tmp_path)
    for scanner in (cache / "scans").iterdir():
        shutil.rmtree(scanner)
        scanner.write_text("owned by someone else\n", encoding="utf-8")
    (cache / "results").mkdir()
    for prefix in range(256):
        (cache / "results" / f"{prefix:02x}").write_text("", encoding="utf-8")

    blocked, verbose = _validate(repo, cache)
    cold, _ = _validate(repo, tmp_path / "empty-cache")

    assert blocked == cold, verbose
    assert not [f for f in blocked["findings"] if f["rule"] == "internal-error"]
