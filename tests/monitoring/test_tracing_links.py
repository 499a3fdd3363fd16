"""Check tracing: the collector metrics known-metrics.yaml lists, and those the Node Graph panel
queries, are what every env's collector config produces. (Datasource uids of dashboards and their
links are the zero-config check's: tests/test_zero_config_checks.py.)"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from marty_platform.checks import tracing

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPENDENCIES = Path("monitoring/dashboards/service-dependencies.json")


@pytest.fixture
def monitoring_repo(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / "monitoring", tmp_path / "monitoring")
    return tmp_path


def _rules(findings):
    return [(f.rule, f.file) for f in findings]


def test_committed_dashboards_and_collector_metrics_agree():
    assert tracing.check_collector_metrics(REPO_ROOT) == []


def test_the_live_map_and_trace_links_exist():
    dashboard = json.loads((REPO_ROOT / DEPENDENCIES).read_text())
    assert any(p["type"] == "nodeGraph" for p in dashboard["panels"])
    slowest = (REPO_ROOT / "monitoring/dashboards/slowest-dependencies.json").read_text()
    assert '"exemplar": true' in slowest and '"datasourceUid": "jaeger"' in slowest


def test_renamed_connector_breaks_the_listed_metrics_and_the_graph(monitoring_repo):
    """The dependencies connector's namespace changed in prod only: what dashboards and the
    alert query no longer exists there."""
    config = monitoring_repo / "monitoring/otel/collector-prod.yaml"
    config.write_text(config.read_text().replace("namespace: traces.dependency",
                                                 "namespace: traces.edges"))
    findings = tracing.check_collector_metrics(monitoring_repo)
    missing = [f for f in findings if f.rule == "span-metric-missing"]
    graph = [f for f in findings if f.rule == "graph-metric"]
    assert {f.env for f in missing} == {"prod"}
    assert {f.message.split()[0] for f in missing} == {
        "traces_dependency_calls_total", "traces_dependency_duration_seconds_bucket",
        "traces_dependency_duration_seconds_count", "traces_dependency_duration_seconds_sum"}
    assert all(f.file == "monitoring/known-metrics.yaml" and f.line for f in missing)
    assert [(f.file, "traces_dependency_calls_total" in f.message) for f in graph] == [
        (DEPENDENCIES.as_posix(), True)]
