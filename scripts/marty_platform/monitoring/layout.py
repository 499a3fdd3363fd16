"""Where the monitoring sources live, relative to the repository root."""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform.repo import inside

MONITORING = Path("monitoring")
SLO_DIR = MONITORING / "slo"
SLO_SCHEMA = Path("schemas") / "slo-spec.schema.json"
RULES_DIR = MONITORING / "rules"
GENERATED_DIR = RULES_DIR / "generated"
RULE_TESTS_DIR = MONITORING / "tests"
DASHBOARDS_DIR = MONITORING / "dashboards"
KNOWN_METRICS = MONITORING / "known-metrics.yaml"
ALERTMANAGER_CONFIG = MONITORING / "alertmanager" / "alertmanager.yaml"
ROUTE_TESTS = MONITORING / "alertmanager" / "route-tests.yaml"
RUNBOOKS_DIR = Path("docs") / "runbooks"
# monitoring/rules/ wrapped as PrometheusRule objects for the platform-monitoring overlays.
DELIVERED_RULES_DIR = Path("base") / "platform" / "monitoring" / "rules"
CATALOG = Path("catalog") / "services.yaml"

RUNBOOK_URL_PREFIX = "https://github.com/marty-platform/marty-platform/blob/main/docs/runbooks/"


def generated_rule_file(service: str) -> Path:
    return GENERATED_DIR / f"slo-{service}.yaml"


def slo_spec_files(root: Path) -> list[Path]:
    """SLO specs: every monitoring/slo/*.yaml (schema: schemas/slo-spec.schema.json)."""
    directory = root / SLO_DIR
    return inside(root, directory.glob("*.yaml")) if directory.is_dir() else []


def rule_files(root: Path) -> list[Path]:
    """Every Prometheus rule file, hand-written and generated."""
    directory = root / RULES_DIR
    return inside(root, directory.rglob("*.yaml")) if directory.is_dir() else []


def alert_kebab(alert: str) -> str:
    """`PKDSyncStale` -> `pkd-sync-stale`, `SLOLatencyBudgetBurn` -> `slo-latency-budget-burn`."""
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", alert)
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", words)
    return words.replace("_", "-").lower()
