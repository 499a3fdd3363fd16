"""Trace correlation and the live service map, tied to what really exists:

- every span metric monitoring/known-metrics.yaml lists under `otel-collector` (which dashboards
  and alerts may then query) is produced by every env's collector config, and every metric a
  Node Graph panel (the live service map) queries is one of them.
Pure Python: the collector's own verdict on its configs is the `otelcol` check. Whether every
datasource uid a dashboard or one of its links names is one the env's Grafana provisions is the
`zero-config` check's (it reads the Grafana release each env deploys).
"""
from __future__ import annotations

from pathlib import Path

from marty_platform import jsonio
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.monitoring import collector_config
from marty_platform.monitoring.dashboards import dashboard_files, queries
from marty_platform.monitoring.findings import line_of, rel
from marty_platform.monitoring.known_metrics import exported_metrics
from marty_platform.monitoring.layout import KNOWN_METRICS
from marty_platform.monitoring.promql import metric_names
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import YamlError, load_one

CHECK = "tracing"
# The known-metrics.yaml exporter whose metrics the collector configs must produce.
COLLECTOR_EXPORTER = "otel-collector"
RULES = declare(
    CHECK, "Trace correlation and the service map: the collector's span metrics behind "
    "dashboards, alerts and the Node Graph panel.",
    Rule("span-metric-missing", "known-metrics.yaml lists a collector metric an env's collector "
         "config does not produce"),
    Rule("graph-metric", "a Node Graph panel queries a metric the collector configs do not "
         "produce"),
    module=__name__)


def _finding(rule: str, message: str, file: str, line: int | None = None, env: str = ""):
    return finding(CHECK, rule, message, file=file, line=line, env=env)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    root = ctx.repo.root
    if (root / "monitoring").is_dir():
        result.findings = check_collector_metrics(root)
        result.stats.checked = len(dashboard_files(root)) + len(collector_config.config_files(root))
    return [result]


def _dashboards(root: Path):
    for path in dashboard_files(root):
        try:
            text = jsonio.read_text(path)
            dashboard = jsonio.loads(text)
        except jsonio.JsonError:
            continue  # the monitoring check reports it (dashboard-json)
        if isinstance(dashboard, dict):
            yield path, text, dashboard


def _produced(root: Path) -> dict[str, set[str]]:
    """Env -> the span metrics its collector config produces (configs that do not load are the
    otelcol check's findings)."""
    produced = {}
    for path in collector_config.config_files(root):
        try:
            config = load_one(path)
        except (YamlError, OSError):
            continue
        if isinstance(config, dict):
            produced[collector_config.env_of(path)] = collector_config.produced_metrics(config)
    return produced


def check_collector_metrics(root: Path) -> list:
    produced = _produced(root)
    if not produced:
        return []
    findings = []
    listed = sorted(name for name, exporter in exported_metrics(root).items()
                    if exporter == COLLECTOR_EXPORTER)
    known_text = (root / KNOWN_METRICS).read_text(encoding="utf-8") \
        if (root / KNOWN_METRICS).is_file() else ""
    for env, names in sorted(produced.items()):
        for name in listed:
            if name not in names:
                findings.append(_finding(
                    "span-metric-missing", f"{name} is listed as a collector metric, but "
                    f"monitoring/otel/collector-{env}.yaml produces no such metric (it produces: "
                    f"{', '.join(sorted(names)) or 'none'}); fix the connector's namespace or "
                    "histogram unit, or the list", KNOWN_METRICS.as_posix(),
                    line_of(known_text, f"- {name}"), env))
    everywhere = set.intersection(*produced.values())
    for path, text, dashboard in _dashboards(root):
        for query in queries(path, dashboard):
            if not _is_node_graph(dashboard, query.panel):
                continue
            for name in sorted(metric_names(query.expr) - everywhere):
                findings.append(_finding(
                    "graph-metric", f"panel {query.panel!r} (Node Graph) queries {name}, which "
                    "the collector configs do not all produce (they produce: "
                    f"{', '.join(sorted(everywhere)) or 'none'})", rel(path, root),
                    line_of(text, name)))
    return findings


def _is_node_graph(dashboard: dict, title: str) -> bool:
    def panels(container: dict):
        for panel in container.get("panels") or []:
            if isinstance(panel, dict):
                yield panel
                yield from panels(panel)
    return any(p.get("type") == "nodeGraph" and str(p.get("title") or p.get("id")) == title
               for p in panels(dashboard))
