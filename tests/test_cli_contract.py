"""The CLI contract: output formats, exit codes and PATH mode."""
from __future__ import annotations

import re
import shutil

from harness import BROKEN, ROOT

CLEAN = ROOT / "tests" / "fixtures" / "clean" / "configmap.yaml"
FINDING_LINE = re.compile(r"^(\S+):(\d+)  (dev|staging|prod)  (\S+)  (\S+)/(\S+)  error: .+$")


def test_json_shape(run_cli):
    outcome = run_cli("validate", "--format", "json", str(BROKEN / "manifests" / "wrong-type.yaml"))
    data = outcome.json
    assert set(data) == {"ok", "findings", "stats", "notes"}
    assert data["ok"] is False
    assert set(data["findings"][0]) == {"check", "rule", "severity", "env", "file", "line",
                                        "resource", "message"}
    kubeconform = data["stats"]["checks"]["kubeconform"]
    assert kubeconform["checked"] == 1 and kubeconform["not_checked"] == 0


def test_text_format_summary_and_finding_lines(run_cli):
    outcome = run_cli("validate", "--format", "text", str(BROKEN / "manifests" / "wrong-type.yaml"))
    assert outcome.code == 1
    lines = outcome.stdout.splitlines()
    assert lines[0].split()[:4] == ["env", "check", "checked", "not"]
    assert any(line.startswith("prod") and "kubeconform" in line for line in lines)
    findings = [m for m in map(FINDING_LINE.match, lines) if m]
    assert findings, outcome.stdout
    file, line, env, resource, check, rule = findings[0].groups()
    assert (file, line, env) == ("tests/fixtures/broken/manifests/wrong-type.yaml", "9", "prod")
    assert resource == "Service/marty-prod/wrong-type" and (check, rule) == ("kubeconform", "schema")
    assert lines[-1].startswith("FAILED")


def test_github_format_annotates_file_and_line(run_cli):
    outcome = run_cli("validate", "--format", "github",
                      str(BROKEN / "manifests" / "duplicate-key.yaml"))
    assert "::error file=tests/fixtures/broken/manifests/duplicate-key.yaml,line=8," in outcome.stdout


def test_exit_zero_on_clean_manifest(run_cli):
    outcome = run_cli("validate", "--format", "json", str(CLEAN))
    assert outcome.code == 0, outcome.json
    assert outcome.json["ok"] is True


def test_manifest_files_outside_the_repo(run_cli, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(CLEAN, outside / "good.yaml")
    shutil.copy(BROKEN / "manifests" / "unknown-field.yaml", outside / "bad.yaml")
    outcome = run_cli("validate", "--format", "json", str(outside / "good.yaml"),
                      str(outside / "bad.yaml"), cwd=tmp_path)
    assert outcome.code == 1
    files = {f["file"] for f in outcome.json["findings"] if f["severity"] == "error"}
    assert files == {str(outside / "bad.yaml")}
    assert outcome.json["stats"]["checks"]["kubeconform"]["checked"] == 2


def test_directory_of_manifests(run_cli, tmp_path):
    shutil.copy(CLEAN, tmp_path / "a.yaml")
    shutil.copy(BROKEN / "manifests" / "removed-api.yaml", tmp_path / "b.yml")
    outcome = run_cli("validate", "--format", "json", str(tmp_path), cwd=tmp_path)
    assert outcome.code == 1
    assert {f["file"] for f in outcome.findings(check="kubeconform")} == {str(tmp_path / "b.yml")}


def test_env_picks_the_rules_for_manifests(run_cli, tmp_path):
    manifest = tmp_path / "pod.yaml"
    manifest.write_text((BROKEN / "manifests" / "policy-deny.yaml").read_text())
    prod = run_cli("validate", "--format", "json", str(manifest))
    dev = run_cli("validate", "--format", "json", "--env", "dev", str(manifest))
    assert {f["env"] for f in prod.json["findings"]} == {"prod"}
    assert {f["env"] for f in dev.json["findings"]} == {"dev"}
    # Digest pinning is a prod-only rule: the same file passes it in dev.
    assert prod.findings(rule="images.digest-pinned")
    assert not dev.findings(rule="images.digest-pinned")


def test_overlay_path_mode_renders_only_that_overlay(run_cli):
    outcome = run_cli("validate", "--format", "json", "overlays/staging/trust-anchor")
    assert outcome.code == 0, outcome.json["findings"]
    assert outcome.json["stats"]["envs"] == ["staging"]
    assert outcome.json["stats"]["checks"]["kustomize"]["checked"] == 1


def test_nonexistent_path_is_a_usage_error(run_cli):
    outcome = run_cli("validate", "no/such/file.yaml")
    assert outcome.code == 2
    assert "no/such/file.yaml" in outcome.stderr


def test_bad_option_is_a_usage_error(run_cli):
    outcome = run_cli("validate", "--format", "xml")
    assert outcome.code == 2
    assert "Traceback" not in outcome.stderr


def test_overlay_path_mode_sees_the_rest_of_its_env(run_cli, repo_copy):
    """Cross-object rules judge one overlay against its whole env, and report only on it."""
    import shutil as sh
    sh.rmtree(repo_copy / "overlays" / "staging" / "platform-network")
    outcome = run_cli("validate", "--format", "json", "overlays/staging/trust-anchor",
                      cwd=repo_copy)
    assert outcome.code == 1
    findings = outcome.findings(rule="networkpolicy.default-deny")
    assert findings and all(f["env"] == "staging" for f in findings)
    assert {f["file"].split("/")[0] for f in outcome.json["findings"]} <= {"overlays", "base"}
    assert all("trust-anchor" in f["resource"] or f["resource"].startswith("Namespace")
               or "trust-anchor" in f["file"] for f in outcome.json["findings"]), \
        outcome.json["findings"]
