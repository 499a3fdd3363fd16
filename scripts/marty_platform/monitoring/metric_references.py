"""Every PromQL expression the repository ships reads only metrics that something emits.

Alerts, canary analyses, SLOs and dashboards that query a metric nobody exports never fire,
never fail a rollout and render empty panels, and nothing else notices. Each source below is
reduced to `Reference`s (where it is, which expression); `check_references` then parses all of
them with promtool in one run and compares the metric names each reads (`promql.metric_names`)
with `known_metrics`: monitoring/known-metrics.yaml plus every recorded series.

Sources:
- rule files in monitoring/rules/ (hand-written and Sloth-generated);
- SLO specs' `error_query`/`total_query` (Sloth templates: `{{.window}}` becomes a window);
- rendered PrometheusRule (`spec.groups[].rules[].expr`) and AnalysisTemplate
  (`spec.metrics[].provider.prometheus.query`, `{{args.*}}` becomes a string) objects;
- Grafana dashboards (monitoring/dashboards.py builds their references).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from marty_platform.model import ManifestObject
from marty_platform.monitoring.alert_rules import load_all
from marty_platform.monitoring.findings import Finding, line_of, rel
from marty_platform.monitoring.promql import metric_names, parse_errors
from marty_platform.monitoring.slo_specs import load_specs
from marty_platform.tools.runner import ToolBox

# Sloth expands `{{.window}}` into each of its windows; any duration parses the same way.
_SLOTH_WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")
# Argo Rollouts substitutes `{{args.<name>}}` (and `{{ args.<name> }}`) before querying.
_ARGO_ARG = re.compile(r"\{\{\s*args\.[\w.-]+\s*\}\}")
SLO_QUERY_FIELDS = ("error_query", "total_query")


@dataclass(frozen=True)
class Reference:
    """One shipped PromQL expression, ready for promtool, and where to report it."""

    file: str  # repository-relative
    line: int | None
    where: str  # what the expression belongs to, as a reader finds it: "alert ServiceDown"
    expr: str
    env: str = ""
    resource: str = ""


def check_references(references: list[Reference], known: set[str], tools: ToolBox,
                     source: str, *, report_parse_errors: bool = True) -> list[Finding]:
    """`<source>-promql` for expressions promtool rejects, `<source>-unknown-metric` for each
    metric an expression reads that is not known. One promtool run for all references."""
    errors = parse_errors([ref.expr for ref in references], tools)
    findings: list[Finding] = []
    for index, ref in enumerate(references):
        if index in errors:
            if report_parse_errors:
                findings.append(_located(ref, f"{source}-promql", f"{ref.where}: {errors[index]}"))
            continue
        for metric in sorted(metric_names(ref.expr) - known):
            findings.append(_located(ref, f"{source}-unknown-metric",
                                     f"{ref.where} queries {metric}, which no exporter in "
                                     "known-metrics.yaml and no recording rule produces"))
    return findings


def _located(ref: Reference, rule: str, message: str):
    return replace(Finding(ref.file, ref.line, rule, message), env=ref.env,
                   resource=ref.resource)


# --- sources ------------------------------------------------------------------------------------

def rule_file_references(root: Path) -> list[Reference]:
    rules, _ = load_all(root)  # files that do not load are reported by alert_rules
    return [Reference(rel(rule.file, root), rule.line, f"{rule.kind} {rule.name}", rule.expr)
            for rule in rules if rule.expr.strip()]


def slo_references(root: Path) -> list[Reference]:
    references: list[Reference] = []
    for path, spec in load_specs(root).items():
        if not isinstance(spec, dict):
            continue  # slo_specs reports invalid YAML and schema errors
        text = path.read_text(encoding="utf-8")
        for slo in _items(spec.get("slos")):
            if not isinstance(slo, dict):
                continue
            events = ((slo.get("sli") or {}).get("events") or {}) \
                if isinstance(slo.get("sli"), dict) else {}
            start = line_of(text, f"name: {slo.get('name')}") or 1
            for field in SLO_QUERY_FIELDS:
                query = events.get(field) if isinstance(events, dict) else None
                if isinstance(query, str) and query.strip():
                    references.append(Reference(
                        rel(path, root), line_of(text, f"{field}:", start),
                        f"SLO {slo.get('name')} {field}", _SLOTH_WINDOW.sub("5m", query)))
    return references


def rendered_references(objects: list[ManifestObject]) -> list[Reference]:
    """The expressions of rendered PrometheusRule and AnalysisTemplate objects."""
    references: list[Reference] = []
    for obj in objects:
        kind, spec = obj.data.get("kind"), obj.data.get("spec")
        if not isinstance(spec, dict):
            continue
        where = dict(file=obj.file, line=obj.line, env=obj.env, resource=str(obj.key))
        if kind == "PrometheusRule":
            for rule in prometheus_rule_entries(obj):
                name = rule.get("alert") or rule.get("record")
                kind_word = "alert" if "alert" in rule else "record"
                references.append(Reference(where=f"{kind_word} {name}", expr=str(rule["expr"]),
                                            **where))
        elif kind == "AnalysisTemplate":
            for metric in _items(spec.get("metrics")):
                provider = metric.get("provider") if isinstance(metric, dict) else None
                prometheus = provider.get("prometheus") if isinstance(provider, dict) else None
                query = prometheus.get("query") if isinstance(prometheus, dict) else None
                if isinstance(query, str) and query.strip():
                    references.append(Reference(where=f"analysis metric {metric.get('name')}",
                                                expr=_ARGO_ARG.sub("argo_argument", query),
                                                **where))
    return references


def prometheus_rule_entries(obj: ManifestObject) -> list[dict]:
    """The rule mappings (with an `expr`) of a rendered PrometheusRule."""
    spec = obj.data.get("spec")
    entries = []
    for group in _items(spec.get("groups") if isinstance(spec, dict) else None):
        for rule in _items(group.get("rules") if isinstance(group, dict) else None):
            if isinstance(rule, dict) and isinstance(rule.get("expr"), (str, int, float)):
                entries.append(rule)
    return entries


def _items(value: object) -> list:
    """A YAML sequence, or nothing: malformed input is the schema checks' to report."""
    return value if isinstance(value, list) else []


def rendered_recordings(objects: list[ManifestObject]) -> set[str]:
    """Series recorded by rendered PrometheusRules (a chart's additional recording rules)."""
    return {str(rule["record"]) for obj in objects if obj.data.get("kind") == "PrometheusRule"
            for rule in prometheus_rule_entries(obj) if rule.get("record")}


def check_repo_references(root: Path, known: set[str], tools: ToolBox) -> list[Finding]:
    """Rule files and SLO specs. promtool's own `check rules` already reports rule files that
    do not parse, so only their metric names are reported here."""
    findings = check_references(rule_file_references(root), known, tools, "rule",
                                report_parse_errors=False)
    findings += check_references(slo_references(root), known, tools, "slo")
    return findings

