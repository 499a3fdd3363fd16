"""Every alert has a promtool unit test in monitoring/tests/ that expects it to fire."""
from __future__ import annotations

from pathlib import Path

from marty_platform.monitoring.alert_rules import load_all
from marty_platform.monitoring.findings import Finding, rel
from marty_platform.monitoring.layout import RULE_TESTS_DIR
from marty_platform.yamlio import YamlError, load_one
from marty_platform.repo import inside


def tested_alerts(root: Path) -> set[str]:
    """Alert names some alert_rule_test expects to fire (a non-empty exp_alerts)."""
    names: set[str] = set()
    directory = root / RULE_TESTS_DIR
    for path in inside(root, directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            document = load_one(path) or {}
        except (OSError, YamlError):
            continue  # the yaml check names the problem; the file tests nothing
        if not isinstance(document, dict):
            continue
        for test in document.get("tests") or []:
            for case in (test or {}).get("alert_rule_test") or []:
                if case.get("exp_alerts"):
                    names.add(str(case.get("alertname")))
    return names


def check_alerts_tested(root: Path) -> list[Finding]:
    rules, findings = load_all(root)
    tested = tested_alerts(root)
    reported: set[str] = set()
    for rule in rules:
        if rule.kind == "alert" and rule.name not in tested and rule.name not in reported:
            reported.add(rule.name)
            findings.append(Finding(rel(rule.file, root), rule.line, "alert-untested",
                                    f"alert {rule.name} has no promtool unit test in "
                                    f"{RULE_TESTS_DIR.as_posix()}/ that expects it to fire"))
    return findings
