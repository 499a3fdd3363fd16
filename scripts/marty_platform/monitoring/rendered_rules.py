"""Alerts and canary analyses as the overlays render them (a chart's PrometheusRule and
AnalysisTemplate): the same conventions as the rule files in monitoring/rules/ (labels,
summary and runbook_url, a runbook that exists) and only known metrics.

Their source is a template, so they are judged on the rendered objects. The PrometheusRules
generated from monitoring/rules/ (base/platform/monitoring/rules/) are skipped: they wrap the
rule files unchanged, and those are checked at their source.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from marty_platform.model import Finding, ManifestObject
from marty_platform.monitoring.alert_rules import check_names, check_rule
from marty_platform.monitoring.known_metrics import known_metrics
from marty_platform.monitoring.layout import DELIVERED_RULES_DIR
from marty_platform.monitoring.metric_references import (
    check_references,
    prometheus_rule_entries,
    rendered_recordings,
    rendered_references,
)
from marty_platform.monitoring.rulefiles import Rule
from marty_platform.monitoring.runbooks import check_rule_runbook
from marty_platform.tools.runner import ToolBox

KINDS = ("PrometheusRule", "AnalysisTemplate")


def judged(objects: list[ManifestObject]) -> list[ManifestObject]:
    return [o for o in objects if o.data.get("kind") in KINDS
            and not o.file.startswith(DELIVERED_RULES_DIR.as_posix() + "/")]


def rules_of(obj: ManifestObject, root: Path) -> list[Rule]:
    """A rendered PrometheusRule's rules as rule-file records, located at the object."""
    rules = []
    for entry in prometheus_rule_entries(obj):
        kind = "alert" if "alert" in entry else "record"
        rules.append(Rule(file=root / obj.file, line=obj.line, group="", kind=kind,
                          name=str(entry.get(kind, "")), expr=str(entry["expr"]),
                          labels=_mapping(entry.get("labels")),
                          annotations=_mapping(entry.get("annotations"))))
    return rules


def _mapping(value: object) -> dict:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def check_rendered(objects: list[ManifestObject], context: list[ManifestObject], root: Path,
                   tools: ToolBox) -> list[Finding]:
    """Findings about `objects`; `context` (the rest of the env) only adds recorded series."""
    chosen = judged(objects)
    if not chosen:
        return []
    findings: list[Finding] = []
    for obj in chosen:
        where = dict(env=obj.env, resource=str(obj.key))
        for rule in rules_of(obj, root) if obj.data.get("kind") == "PrometheusRule" else []:
            found = check_names(rule, root)
            if rule.kind == "alert":
                found += check_rule(rule, root) + check_rule_runbook(rule, root)
            findings += [replace(f, **where) for f in found]
    known = known_metrics(root) | rendered_recordings([*objects, *context])
    findings += check_references(rendered_references(chosen), known, tools, "rendered")
    return findings
