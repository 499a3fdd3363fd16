"""Every alert carries the labels Alertmanager routes on and the annotations on-call reads, and
every rule's label and annotation names are classic (legacy-scheme) Prometheus names.

Labels severity, team and service may be set statically in the rule or come from the alert
expression (a join on marty:pod_owner:info, for example): a label that is absent from the rule
must then appear in the expression's `group_left (...)` list, or in a `by (...)` list for
`service`.

Prometheus 3 accepts any UTF-8 label name, but Alertmanager matchers, Grafana and older
exporters do not all follow; this repository keeps to `[a-zA-Z_][a-zA-Z0-9_]*`.
"""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform.monitoring.findings import Finding, rel
from marty_platform.monitoring.layout import rule_files
from marty_platform.monitoring.rulefiles import Rule, load_rules
from marty_platform.yamlio import YamlError

SEVERITIES = ("critical", "warning", "info")
REQUIRED_LABELS = ("severity", "team", "service")
REQUIRED_ANNOTATIONS = ("summary", "runbook_url")

LEGACY_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_GROUPING = re.compile(r"\b(?:group_left|group_right|by)\s*\(([^)]*)\)")


def labels_from_expr(expr: str) -> set[str]:
    """Labels the expression propagates through `by (...)` or `group_left/right (...)` lists."""
    found: set[str] = set()
    for match in _GROUPING.finditer(expr):
        found.update(part.strip() for part in match.group(1).split(",") if part.strip())
    return found


def check_names(rule: Rule, root: Path) -> list[Finding]:
    """Label and annotation names outside the legacy name scheme."""
    findings: list[Finding] = []
    for kind, names in (("label", rule.labels), ("annotation", rule.annotations)):
        for name in names:
            if not LEGACY_NAME.match(str(name)):
                findings.append(Finding(rel(rule.file, root), rule.line, "rule-name-scheme",
                                        f"{rule.kind} {rule.name}: {kind} name {name!r} is not "
                                        "a legacy Prometheus name ([a-zA-Z_][a-zA-Z0-9_]*)"))
    return findings


def check_rule(rule: Rule, root: Path) -> list[Finding]:
    file = rel(rule.file, root)
    where = f"alert {rule.name}"
    findings: list[Finding] = []
    propagated = labels_from_expr(rule.expr)
    for label in REQUIRED_LABELS:
        if label not in rule.labels and label not in propagated:
            findings.append(Finding(file, rule.line, "alert-label",
                                    f"{where}: no `{label}` label (static or from the expression)"))
    severity = rule.labels.get("severity")
    if severity is not None and severity not in SEVERITIES:
        findings.append(Finding(file, rule.line, "alert-severity",
                                f"{where}: severity {severity!r} is not one of "
                                f"{', '.join(SEVERITIES)}"))
    for annotation in REQUIRED_ANNOTATIONS:
        if not str(rule.annotations.get(annotation, "")).strip():
            findings.append(Finding(file, rule.line, "alert-annotation",
                                    f"{where}: no `{annotation}` annotation"))
    return findings


def load_all(root: Path) -> tuple[list[Rule], list[Finding]]:
    """All rules under monitoring/rules/, plus a finding for each file that does not load."""
    rules: list[Rule] = []
    findings: list[Finding] = []
    for path in rule_files(root):
        try:
            rules.extend(load_rules(path))
        except YamlError as exc:  # duplicate keys and the other hazards, at their line
            findings.append(Finding(rel(path, root), exc.line, exc.rule, exc.message))
        except (OSError, ValueError) as exc:
            findings.append(Finding(rel(path, root), None, "rule-file", str(exc).splitlines()[0]))
    return rules, findings


def check_alert_rules(root: Path) -> list[Finding]:
    rules, findings = load_all(root)
    for rule in rules:
        findings.extend(check_names(rule, root))
        if rule.kind == "alert":
            findings.extend(check_rule(rule, root))
    return findings
