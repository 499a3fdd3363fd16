"""The OpenTelemetry Collector configs (monitoring/otel/collector-<env>.yaml) read as data: which
components they use, which `${...}` references they hold, and which Prometheus metric names their
span-metrics connectors produce. The collector itself judges them (checks/otelcol.py); this
module only reads them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from marty_platform.monitoring.layout import MONITORING
from marty_platform.repo import inside

OTEL_DIR = MONITORING / "otel"
BUILDER_CONFIG = Path("tools") / "otelcol" / "builder-config.yaml"
COMPONENT_KINDS = ("receivers", "processors", "exporters", "connectors", "extensions")
# A confmap reference (`${file:...}`, `${env:...}`, `${VAR}`); `$$` escapes a literal `$`.
_REFERENCE = re.compile(r"(?<!\$)\$\{[^}]*\}?")
# The span-metrics connector's type, and the name it had before v0.165.
SPANMETRICS_TYPES = ("span_metrics", "spanmetrics")
_SPANMETRICS_DEFAULT_NAMESPACE = "traces.span.metrics"
_SPANMETRICS_DEFAULT_UNIT = "ms"
# Prometheus base units of the units the span-metrics histogram supports.
_UNIT_SUFFIX = {"ms": "milliseconds", "s": "seconds"}


def config_files(root: Path) -> list[Path]:
    directory = root / OTEL_DIR
    return inside(root, directory.glob("collector-*.yaml")) if directory.is_dir() else []


def env_of(path: Path) -> str:
    return path.stem.removeprefix("collector-")


def component_type(component_id: str) -> str:
    """`otlp/jaeger` -> `otlp`: a component id is its type and an optional name."""
    return component_id.split("/", 1)[0]


def used_components(config: dict) -> dict[str, set[str]]:
    """Component types per kind that the config's service actually uses (pipelines and
    extensions); a component defined but in no pipeline is not built into anything."""
    service = config.get("service") if isinstance(config.get("service"), dict) else {}
    used: dict[str, set[str]] = {kind: set() for kind in COMPONENT_KINDS}
    connectors = set((config.get("connectors") or {}) if isinstance(config.get("connectors"),
                                                                      dict) else ())
    for pipeline in (service.get("pipelines") or {}).values():
        if not isinstance(pipeline, dict):
            continue
        for kind in ("receivers", "processors", "exporters"):
            for component_id in pipeline.get(kind) or []:
                component_id = str(component_id)
                target = "connectors" if component_id in connectors else kind
                used[target].add(component_type(component_id))
    used["extensions"] = {component_type(str(e)) for e in service.get("extensions") or []}
    return used


@dataclass(frozen=True)
class Reference:
    line: int | None
    text: str


def references(text: str) -> list[Reference]:
    """Every `${...}` reference in the config text, with its line: the collector would resolve
    them through a config provider (a file, the environment)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        found += [Reference(number, match.group()) for match in _REFERENCE.finditer(line)]
    return found


def prometheus_name(otel_name: str, *, suffix: str = "") -> str:
    """An OTel metric name as the prometheus exporter writes it with the
    UnderscoreEscapingWithSuffixes strategy (the one the configs set): every character outside
    [a-zA-Z0-9_:] becomes `_`, then the unit and type suffixes."""
    name = re.sub(r"[^a-zA-Z0-9_:]", "_", otel_name)
    return f"{name}_{suffix}" if suffix else name


def produced_metrics(config: dict) -> set[str]:
    """The Prometheus metric names the config's span-metrics connectors produce, for those whose
    metrics pipeline ends in a prometheus exporter: `<namespace>_calls_total` and the
    `<namespace>_duration_<unit>` histogram."""
    connectors = config.get("connectors") if isinstance(config.get("connectors"), dict) else {}
    service = config.get("service") if isinstance(config.get("service"), dict) else {}
    names: set[str] = set()
    for pipeline_id, pipeline in (service.get("pipelines") or {}).items():
        if not isinstance(pipeline, dict) or component_type(str(pipeline_id)) != "metrics":
            continue
        if not any(component_type(str(e)) == "prometheus"
                   for e in pipeline.get("exporters") or []):
            continue
        for receiver in pipeline.get("receivers") or []:
            if component_type(str(receiver)) not in SPANMETRICS_TYPES or \
                    str(receiver) not in connectors:
                continue
            names |= _spanmetrics_names(connectors.get(str(receiver)) or {})
    return names


def _spanmetrics_names(settings: dict) -> set[str]:
    namespace = str(settings.get("namespace") or _SPANMETRICS_DEFAULT_NAMESPACE)
    histogram = settings.get("histogram") if isinstance(settings.get("histogram"), dict) else {}
    names = {prometheus_name(f"{namespace}.calls", suffix="total")}
    if not histogram.get("disable"):
        unit = _UNIT_SUFFIX.get(str(histogram.get("unit") or _SPANMETRICS_DEFAULT_UNIT), "")
        base = prometheus_name(f"{namespace}.duration", suffix=unit)
        names |= {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return names
