"""Grafana dashboards in monitoring/dashboards/: each one is valid JSON with a unique uid and a
datasource template variable, every PromQL target parses (checked by promtool), and every
metric it queries exists (known-metrics.yaml or a recording rule in the repository)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from marty_platform import jsonio
from marty_platform.monitoring.findings import Finding, line_of, rel
from marty_platform.monitoring.known_metrics import known_metrics
from marty_platform.monitoring.layout import DASHBOARDS_DIR
from marty_platform.monitoring.metric_references import Reference, check_references
from marty_platform.monitoring.promql import expand_grafana_variables
from marty_platform.repo import inside
from marty_platform.tools.runner import ToolBox


@dataclass(frozen=True)
class Query:
    file: Path
    panel: str
    expr: str


def dashboard_files(root: Path) -> list[Path]:
    directory = root / DASHBOARDS_DIR
    return inside(root, directory.glob("*.json")) if directory.is_dir() else []


def _panels(container: dict):
    for panel in container.get("panels") or []:
        if isinstance(panel, dict):
            yield panel
            yield from _panels(panel)  # rows nest their panels


def queries(path: Path, dashboard: dict) -> list[Query]:
    found = []
    for panel in _panels(dashboard):
        title = str(panel.get("title") or panel.get("id") or "?")
        for target in panel.get("targets") or []:
            if isinstance(target, dict) and str(target.get("expr", "")).strip():
                found.append(Query(path, title, str(target["expr"])))
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if isinstance(variable, dict) and variable.get("type") == "query":
            query = variable.get("query")
            expr = query.get("query") if isinstance(query, dict) else query
            if isinstance(expr, str) and expr.startswith("label_values("):
                inner = expr[len("label_values("):-1].rsplit(",", 1)
                if len(inner) == 2:  # label_values(<selector>, <label>)
                    found.append(Query(path, f"variable {variable.get('name')}", inner[0]))
    return found


def _has_datasource_variable(dashboard: dict) -> bool:
    return any(isinstance(v, dict) and v.get("type") == "datasource"
               for v in (dashboard.get("templating") or {}).get("list") or [])


def check_dashboards(root: Path, tools: ToolBox) -> list[Finding]:
    findings: list[Finding] = []
    uids: dict[str, str] = {}
    all_queries: list[Query] = []
    for path in dashboard_files(root):
        file = rel(path, root)
        try:
            text = jsonio.read_text(path)
            dashboard = jsonio.loads(text)
        except jsonio.JsonError as exc:
            findings.append(Finding(file, exc.line, "dashboard-json", exc.message))
            continue
        if not isinstance(dashboard, dict):
            findings.append(Finding(file, None, "dashboard-json", "not a JSON object"))
            continue
        uid = dashboard.get("uid")
        if not uid:
            findings.append(Finding(file, None, "dashboard-uid", "no uid"))
        elif uid in uids:
            findings.append(Finding(file, line_of(text, '"uid"'), "dashboard-uid",
                                    f"uid {uid!r} is also used by {uids[uid]}"))
        else:
            uids[uid] = file
        if not _has_datasource_variable(dashboard):
            findings.append(Finding(file, line_of(text, '"templating"'), "dashboard-datasource",
                                    "no datasource template variable"))
        all_queries.extend(queries(path, dashboard))

    known = known_metrics(root)
    references = [Reference(rel(q.file, root), _line(q), f"panel {q.panel!r}",
                            expand_grafana_variables(q.expr)) for q in all_queries]
    return findings + check_references(references, known, tools, "dashboard")


def _line(query: Query) -> int | None:
    return line_of(query.file.read_text(encoding="utf-8"), json.dumps(query.expr)[1:-1][:60])
