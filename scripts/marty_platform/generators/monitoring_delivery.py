"""The rest of monitoring/ as deliverable objects, generated so nothing is copied by hand:

- base/platform/monitoring/dashboards/kustomization.yaml: one ConfigMap per Grafana dashboard
  (monitoring/dashboards/<name>.json, read in place by a configMapGenerator), labelled
  `grafana_dashboard: "1"` for the Grafana dashboard sidecar.
- base/platform/monitoring/otel/<env>/: the env's OpenTelemetryCollector (opentelemetry.io/v1beta1)
  whose `spec.config` is monitoring/otel/collector-<env>.yaml, and a kustomization listing it.
  The overlay overlays/<env>/platform-monitoring adds it to the env's monitoring base.

Files whose source is gone are stale and deleted on write.
"""
from __future__ import annotations

from pathlib import Path

from marty_platform import catalog
from marty_platform.catalog import components as platform_components
from marty_platform.catalog.components import collector_resources, image
from marty_platform.settings import Settings
from marty_platform.generators.files import orphans, sync_files
from marty_platform.generators.prometheus_rules import dump, header
from marty_platform.monitoring.layout import DASHBOARDS_DIR, MONITORING
from marty_platform.yamlio import load_config

BASE = Path("base/platform/monitoring")
DASHBOARDS_OUT = BASE / "dashboards"
OTEL_OUT = BASE / "otel"
OTEL_DIR = MONITORING / "otel"

# The collector gateway every service exports to: Service `<name>-collector` in `monitoring`
# (the chart's otel.endpoint default points at it).
COLLECTOR_NAME = "otel"
# Its image and resources are data: catalog/platform-components.yaml (`otelCollector`).
# cert-manager writes ca.crt into this Secret; collector-<env>.yaml reads it as
# /etc/otel/certs/ca.crt for TLS to Jaeger.
CERT_SECRET = "otel-collector-tls"


def _up(path: Path) -> str:
    """The relative path from `path` (a directory under the repo root) back to the root."""
    return "/".join([".."] * len(path.parts))


def dashboards_kustomization(root: Path) -> str:
    files = sorted((root / DASHBOARDS_DIR).glob("*.json"))
    generators = [{
        "name": f"grafana-dashboard-{f.stem}",
        "files": [f"{_up(DASHBOARDS_OUT)}/{DASHBOARDS_DIR.as_posix()}/{f.name}"],
    } for f in files]
    document = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "generatorOptions": {
            "disableNameSuffixHash": True,
            "labels": {"grafana_dashboard": "1", "app.kubernetes.io/part-of": catalog.PART_OF,
                       "app.kubernetes.io/component": "dashboards",
                       "marty.dev/team": "platform"},
            "annotations": {"grafana_folder": "Marty"},
        },
        "configMapGenerator": generators,
    }
    return (header(DASHBOARDS_DIR.as_posix() + "/", "Add or change dashboards there and "
                   "regenerate.")
            + "# One ConfigMap per dashboard, read in place from monitoring/dashboards/.\n"
            + dump(document))


def collector(env: str, config: dict, components: dict) -> dict:
    return {
        "apiVersion": "opentelemetry.io/v1beta1",
        "kind": "OpenTelemetryCollector",
        "metadata": {"name": COLLECTOR_NAME, "labels": {
            "app.kubernetes.io/name": "otel-collector",
            "app.kubernetes.io/part-of": catalog.PART_OF,
            "app.kubernetes.io/component": "telemetry",
            "app.kubernetes.io/managed-by": "kustomize",
            "marty.dev/team": "platform",
            "marty.dev/env": env,
        }},
        "spec": {
            # Tail sampling needs every span of a trace on one collector: one gateway replica.
            "mode": "deployment",
            "replicas": 1,
            "image": image(components["otelCollector"]),
            "resources": collector_resources(components, env),
            "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                                   "runAsGroup": 10001, "fsGroup": 10001,
                                   "seccompProfile": {"type": "RuntimeDefault"}},
            "securityContext": {"allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}},
            "volumes": [{"name": "certs", "secret": {"secretName": CERT_SECRET}}],
            "volumeMounts": [{"name": "certs", "mountPath": "/etc/otel/certs",
                              "readOnly": True}],
            # The operator creates ServiceMonitors for the collector's own metrics and for the
            # prometheus exporter (:8889: the span metrics and their exemplars).
            "observability": {"metrics": {"enableMetrics": True}},
            "config": config,
        },
    }


def otel_outputs(root: Path) -> dict[Path, str]:
    out: dict[Path, str] = {}
    sources = sorted((root / OTEL_DIR).glob("collector-*.yaml"))
    components = platform_components.load(root) if sources else {}
    for source in sources:
        env = source.stem.removeprefix("collector-")
        relative = source.relative_to(root).as_posix()
        config = load_config(source, relative) or {}
        hint = f"Change {relative} and regenerate."
        out[OTEL_OUT / env / "collector.yaml"] = header(relative, hint) + dump(
            collector(env, config, components))
        out[OTEL_OUT / env / "kustomization.yaml"] = header(relative, hint) + dump({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": ["collector.yaml"]})
    return out


def outputs(root: Path) -> dict[Path, str]:
    out = {DASHBOARDS_OUT / "kustomization.yaml": dashboards_kustomization(root)}
    out.update(otel_outputs(root))
    return out


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    wanted = {root / rel: text for rel, text in outputs(root).items()}
    return sync_files(wanted, write) + orphans(wanted, root / OTEL_OUT, "*/*.yaml", write)
