"""The metric names a query may use: exported metrics listed in monitoring/known-metrics.yaml
plus every series recorded by a rule in monitoring/rules/ (including generated SLO rules)."""
from __future__ import annotations

from pathlib import Path

from marty_platform.monitoring.alert_rules import load_all
from marty_platform.monitoring.layout import KNOWN_METRICS
from marty_platform.yamlio import YamlError, load_one


def exported_metrics(root: Path) -> dict[str, str]:
    """Metric name -> the exporter it comes from, from known-metrics.yaml (`exporters:` map)."""
    path = root / KNOWN_METRICS
    if not path.is_file():
        return {}
    try:
        document = load_one(path) or {}
    except (OSError, YamlError):
        return {}  # the yaml check names the problem
    if not isinstance(document, dict):
        return {}
    known: dict[str, str] = {}
    for exporter, entry in (document.get("exporters") or {}).items():
        metrics = entry.get("metrics") if isinstance(entry, dict) else entry
        for name in metrics or []:
            known[str(name)] = str(exporter)
    return known


def recorded_metrics(root: Path) -> set[str]:
    rules, _ = load_all(root)
    return {rule.name for rule in rules if rule.kind == "record"}


def known_metrics(root: Path) -> set[str]:
    return set(exported_metrics(root)) | recorded_metrics(root)
