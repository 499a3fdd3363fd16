"""scripts/slo-report: remaining error budget per SLO, from saved or live Prometheus answers.

The fixture fixtures/slo-results.json holds the three instant-query responses a Prometheus
loaded with monitoring/rules/generated/ returns: every SLO of the repo, with one at risk
(document-signer availability, 18% left), one exhausted (inspection-system latency, overspent
by 37%) and one without traffic (ui-app latency, NaN).
"""
from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from marty_platform.monitoring import slo_report as report
from marty_platform.monitoring.layout import generated_rule_file

FIXTURE = Path(__file__).parent / "fixtures" / "slo-results.json"


def _rows(**kwargs):
    return report.build_report(report.parse_results(report.load_results_file(FIXTURE)),
                               **kwargs)


def _row(rows, service, slo):
    return next(r for r in rows if (r.service, r.slo) == (service, slo))


def test_queries_are_series_the_generated_rules_record(repo):
    text = (repo / generated_rule_file("trust-anchor")).read_text()
    for query in report.QUERIES:
        assert f"record: {query}\n" in text
    assert "sloth_service: trust-anchor" in text and "sloth_slo: requests-availability" in text


def test_budget_remaining_from_the_fixture():
    rows = _rows()
    assert len(rows) == 22
    signer = _row(rows, "document-signer", "requests-availability")
    assert signer.objective == pytest.approx(0.999)
    assert signer.error_ratio_30d == pytest.approx(0.00082)
    assert signer.budget_remaining == pytest.approx(0.18)
    assert signer.status == report.AT_RISK
    latency = _row(rows, "inspection-system", "requests-latency")
    assert latency.budget_remaining == pytest.approx(-0.37)
    assert latency.status == report.EXHAUSTED
    quiet = _row(rows, "ui-app", "requests-latency")
    assert quiet.error_ratio_30d is None and quiet.status == report.NO_DATA
    assert sorted({r.status for r in rows}) == sorted(
        [report.OK, report.AT_RISK, report.EXHAUSTED, report.NO_DATA])
    assert [r.service for r in report.exhausted(rows)] == ["inspection-system"]


def test_at_risk_threshold_is_configurable():
    rows = _rows(at_risk_below=0.10)
    assert _row(rows, "document-signer", "requests-availability").status == report.OK


@pytest.mark.parametrize("remaining, status", [
    (1.0, report.OK), (0.25, report.OK), (0.2499, report.AT_RISK), (0.0, report.EXHAUSTED),
    (-2.0, report.EXHAUSTED), (None, report.NO_DATA), (math.nan, report.NO_DATA)])
def test_status_boundaries(remaining, status):
    assert report.status_of(remaining) == status


def _sample(metric, value, service="svc", slo="availability"):
    return report.Sample(metric, service, slo, value)


def test_budget_falls_back_to_the_objective_and_replicas_reduce_conservatively():
    rows = report.build_report([
        _sample(report.OBJECTIVE, 0.99),
        _sample(report.ERROR_RATIO, 0.002),
        _sample(report.ERROR_RATIO, 0.005),  # a second Prometheus replica saw more errors
    ])
    assert rows[0].budget_remaining == pytest.approx(0.5)


def test_expected_slos_without_series_are_reported_as_no_data(repo):
    expected = report.expected_slos(repo)
    assert ("trust-anchor", "requests-latency") in expected and len(expected) == 22
    rows = report.build_report([], expected=[("new-service", "requests-availability")])
    assert [(r.service, r.status) for r in rows] == [("new-service", report.NO_DATA)]


def test_results_file_as_a_list_and_as_one_selector_response():
    document = json.loads(FIXTURE.read_text())
    as_list = [{"query": q, "response": body} for q, body in document.items()]
    merged = {"status": "success", "data": {"resultType": "vector", "result": [
        item for body in document.values() for item in body["data"]["result"]]}}
    expected = report.build_report(report.parse_results(report.normalise_results(document)))
    for shape in (as_list, merged):
        assert report.build_report(report.parse_results(report.normalise_results(shape))) \
            == expected


@pytest.mark.parametrize("document, message", [
    ({"slo:objective:ratio": {"status": "error", "error": "bad_data"}}, "bad_data"),
    ({"slo:objective:ratio": {"status": "success", "data": {"resultType": "matrix"}}},
     "instant vector"),
    ([{"query": "x"}], "entry 0"),
    ("text", "expected a JSON object"),
])
def test_malformed_results_are_rejected(document, message):
    with pytest.raises(report.ResultsError, match=message):
        report.parse_results(report.normalise_results(document))


def test_text_and_json_carry_the_same_rows():
    rows = _rows()
    text = report.text(rows)
    assert text.splitlines()[0].split() == ["SERVICE", "SLO", "OBJECTIVE", "30D", "ERROR",
                                            "RATIO", "BUDGET", "REMAINING", "STATUS"]
    assert "inspection-system  requests-latency" in text and "-37.0%  EXHAUSTED" in text
    assert text.rstrip().endswith("22 SLO(s): 19 ok, 1 at risk, 1 exhausted, 1 no data")
    data = json.loads(report.as_json(rows))
    assert data["exhausted"] == 1 and len(data["slos"]) == 22
    assert set(data["slos"][0]) == {"service", "slo", "objective", "error_ratio_30d",
                                    "budget_remaining", "status"}


# --- the command -------------------------------------------------------------------------------

def test_cli_offline_exits_1_when_a_budget_is_exhausted(run_cli):
    outcome = run_cli("slo-report", "--results", str(FIXTURE))
    assert outcome.code == 1, outcome.stderr
    assert "EXHAUSTED" in outcome.stdout and outcome.stderr == ""


def test_cli_json_for_one_service_exits_0(run_cli):
    outcome = run_cli("slo-report", "--results", str(FIXTURE), "--service", "trust-anchor",
                      "--format", "json")
    assert outcome.code == 0, outcome.stderr
    rows = json.loads(outcome.stdout)["slos"]
    assert [(r["slo"], r["status"]) for r in rows] == [
        ("requests-availability", "OK"), ("requests-latency", "OK")]


@pytest.mark.parametrize("args", [(), ("--results", "x.json", "--prometheus-url", "http://a")])
def test_cli_needs_exactly_one_source(run_cli, args):
    outcome = run_cli("slo-report", *args)
    assert outcome.code == 2 and "exactly one of" in outcome.stderr


class _FakePrometheus(BaseHTTPRequestHandler):
    responses: dict = {}

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        query = parse_qs(url.query).get("query", [""])[0]
        body = self.responses.get(query)
        if url.path != "/api/v1/query" or body is None:
            self.send_response(400)
            payload = {"status": "error", "errorType": "bad_data", "error": "unknown query"}
        else:
            self.send_response(200)
            payload = body
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def prometheus():
    _FakePrometheus.responses = json.loads(FIXTURE.read_text())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakePrometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_cli_live_matches_offline(run_cli, prometheus):
    env = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    live = run_cli("slo-report", "--prometheus-url", prometheus, "--format", "json", env=env)
    offline = run_cli("slo-report", "--results", str(FIXTURE), "--format", "json")
    assert live.code == 1, live.stderr
    assert live.stdout == offline.stdout


def test_cli_unreachable_prometheus_is_one_line_exit_2(run_cli):
    env = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    outcome = run_cli("slo-report", "--prometheus-url", "http://127.0.0.1:9", env=env)
    assert outcome.code == 2
    assert outcome.stdout == ""
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert "cannot reach Prometheus at http://127.0.0.1:9" in outcome.stderr
