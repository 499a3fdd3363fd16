"""Prometheus rules: promtool accepts them, their unit tests pass, and the tests bite."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from marty_platform.monitoring import alert_rules, rule_tests, runbooks
from marty_platform.monitoring.layout import rule_files

from monitoring_support import REPO

RULE_TESTS = sorted((REPO / "monitoring" / "tests").glob("*.yaml"))


def run(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False)


def test_promtool_check_rules_is_clean(repo, promtool):
    files = rule_files(repo)
    assert any("generated" in f.parts for f in files), "generated SLO rules are missing"
    proc = run(promtool, "check", "rules", "--lint=all", "--lint-fatal", *files)
    assert proc.returncode == 0, proc.stderr + proc.stdout


@pytest.mark.parametrize("test_file", RULE_TESTS, ids=lambda p: p.name)
def test_promtool_unit_tests_pass(promtool, test_file):
    proc = run(promtool, "test", "rules", test_file.name, cwd=test_file.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("rule_file", "mutations", "test_file", "alert"), [
    # A wrong threshold: the crash-loop alert would need 30 restarts in 15 minutes.
    ("workloads.yaml", [("[15m]) > 3)", "[15m]) > 30)")], "workloads.yaml",
     "MartyPodCrashLooping"),
    # A wrong `for:`: the critical CNPG lag alert would wait an hour.
    ("databases.yaml", [("> 300\n        for: 5m", "> 300\n        for: 1h")], "databases.yaml",
     "CNPGReplicationLagCritical"),
    # A weakened page: 50x burn in both page windows instead of 14.4x and 6x.
    ("generated/slo-trust-anchor.yaml", [("> (14.4 * ", "> (50 * "), ("> (6 * ", "> (50 * ")],
     "slo-burn-rate.yaml", "SLOAvailabilityBudgetBurn"),
], ids=["threshold", "for", "burn-rate"])
def test_a_mutated_rule_fails_its_unit_test(scratch, promtool, rule_file, mutations, test_file,
                                            alert):
    path = scratch / "monitoring" / "rules" / rule_file
    text = path.read_text()
    for old, new in mutations:
        assert old in text, f"mutation anchor {old!r} not found in {rule_file}"
        text = text.replace(old, new)
    path.write_text(text)
    tests = scratch / "monitoring" / "tests"
    proc = run(promtool, "test", "rules", test_file, cwd=tests)
    assert proc.returncode != 0
    assert alert in proc.stdout + proc.stderr


def test_every_alert_is_labelled_annotated_and_tested(repo):
    assert alert_rules.check_alert_rules(repo) == []
    assert rule_tests.check_alerts_tested(repo) == []


def test_alert_without_team_or_runbook_is_reported(scratch):
    path = scratch / "monitoring" / "rules" / "pkd.yaml"
    text = path.read_text()
    text = text.replace("          team: verification\n", "", 1)
    text = text.replace("          runbook_url: https://github.com/marty-platform/marty-platform/"
                        "blob/main/docs/runbooks/pkd-sync-failing.md\n", "", 1)
    path.write_text(text)
    found = {(f.rule, f.message.split(":")[0]) for f in alert_rules.check_alert_rules(scratch)}
    assert ("alert-label", "alert PKDSyncFailing") in found
    assert ("alert-annotation", "alert PKDSyncFailing") in found


def test_every_runbook_url_resolves(repo):
    assert runbooks.check_runbooks(repo) == []


def test_missing_runbook_is_reported(scratch):
    (scratch / "docs" / "runbooks" / "pkd-sync-stale.md").unlink()
    findings = runbooks.check_runbooks(scratch)
    assert [(f.file, f.rule) for f in findings] == [("monitoring/rules/pkd.yaml",
                                                    "runbook-missing")]
    assert findings[0].line is not None


def test_runbook_named_after_another_alert_is_reported(scratch):
    path = scratch / "monitoring" / "rules" / "pkd.yaml"
    path.write_text(path.read_text().replace("runbooks/pkd-sync-stale.md",
                                             "runbooks/pkd-sync-failing.md"))
    assert [f.rule for f in runbooks.check_runbooks(scratch)] == ["runbook-name"]


def test_untested_alert_is_reported(scratch):
    (scratch / "monitoring" / "tests" / "pkd.yaml").unlink()
    untested = {f.message.split()[1] for f in rule_tests.check_alerts_tested(scratch)}
    assert untested == {"PKDSyncFailing", "PKDSyncStale"}
