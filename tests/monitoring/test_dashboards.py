"""Grafana dashboards: structure, PromQL parsing by promtool, and known metrics only."""
from __future__ import annotations

import json

import pytest

from marty_platform.monitoring import dashboards, promql


def _add_panel(root, name, expr):
    path = root / "monitoring" / "dashboards" / name
    dashboard = json.loads(path.read_text())
    dashboard["panels"].append({"id": 999, "type": "timeseries", "title": "Added",
                                "targets": [{"refId": "A", "expr": expr}]})
    path.write_text(json.dumps(dashboard, indent=2))


def test_dashboards_are_clean(repo, tools):
    assert dashboards.dashboard_files(repo), "no dashboards"
    assert dashboards.check_dashboards(repo, tools) == []


def test_every_dashboard_has_a_unique_uid_and_datasource_variable(repo):
    uids = []
    for path in dashboards.dashboard_files(repo):
        dashboard = json.loads(path.read_text())
        uids.append(dashboard["uid"])
        kinds = [v["type"] for v in dashboard["templating"]["list"]]
        assert "datasource" in kinds, path.name
    assert len(uids) == len(set(uids))


def test_unknown_metric_is_reported(scratch, tools):
    _add_panel(scratch, "business.json", 'sum(rate(marty_passports_printed_total[5m]))')
    findings = dashboards.check_dashboards(scratch, tools)
    assert [(f.file, f.rule) for f in findings] == [
        ("monitoring/dashboards/business.json", "dashboard-unknown-metric")]
    assert "marty_passports_printed_total" in findings[0].message


def test_recorded_metric_is_known(scratch, tools):
    _add_panel(scratch, "business.json", 'sum(slo:current_burn_rate:ratio{sloth_service="ui-app"})')
    assert dashboards.check_dashboards(scratch, tools) == []


def test_unparseable_promql_is_reported_by_promtool(scratch, tools):
    _add_panel(scratch, "slo.json", 'sum(rate(marty_grpc_requests_total[5m])')
    findings = dashboards.check_dashboards(scratch, tools)
    assert [f.rule for f in findings] == ["dashboard-promql"]
    assert "parse error" in findings[0].message


def test_duplicate_uid_and_missing_datasource_variable_are_reported(scratch, tools):
    path = scratch / "monitoring" / "dashboards" / "business.json"
    dashboard = json.loads(path.read_text())
    dashboard["uid"] = "marty-slo"
    dashboard["templating"]["list"] = []
    path.write_text(json.dumps(dashboard))
    rules = sorted(f.rule for f in dashboards.check_dashboards(scratch, tools))
    assert rules == ["dashboard-datasource", "dashboard-uid"]


def test_invalid_json_is_reported(scratch, tools):
    (scratch / "monitoring" / "dashboards" / "broken.json").write_text('{"uid": "x",\n')
    findings = dashboards.check_dashboards(scratch, tools)
    assert [(f.file, f.rule) for f in findings] == [
        ("monitoring/dashboards/broken.json", "dashboard-json")]


@pytest.mark.parametrize(("expr", "names"), [
    ('sum by (service, le) (rate(a_bucket{service=~"$service"}[$__rate_interval]))', {"a_bucket"}),
    ('x / on (pod) group_left (team, service) y:info', {"x", "y:info"}),
    ('label_replace(up, "service", "$1", "job", "(.+)")', {"up"}),
    ('{__name__="up", job="a"} offset 5m and time() - 3e3 > bool 1', {"up"}),
    ('sum(a) without (b) / ignoring (c) b[5m:1m]', {"a", "b"}),
    ('histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))', {"h_bucket"}),
])
def test_metric_names(expr, names):
    assert promql.metric_names(promql.expand_grafana_variables(expr)) == names


def test_grafana_variables_expand_to_parseable_promql(tools):
    exprs = ['rate(x{a=~"$service", b="${env}"}[$__rate_interval])', 'x[$window]',
             'sum(rate(x[$__interval])) by (pod)']
    expanded = [promql.expand_grafana_variables(e) for e in exprs]
    assert promql.parse_errors(expanded, tools) == {}
