"""Alertmanager: amtool accepts the config and every route-table case resolves as expected."""
from __future__ import annotations

import subprocess

import yaml

from marty_platform.monitoring import alertmanager
from marty_platform.monitoring.layout import ALERTMANAGER_CONFIG, ROUTE_TESTS


def test_amtool_check_config(repo, amtool, tools):
    proc = subprocess.run([str(amtool), "check-config", str(repo / ALERTMANAGER_CONFIG)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert alertmanager.check_config(repo, tools) == []


def test_route_table_passes(repo, tools):
    tests, problems = alertmanager.load_route_tests(repo / ROUTE_TESTS)
    assert problems == [] and len(tests) >= 10
    assert alertmanager.check_routes(repo, tools) == []


def test_route_test_command_is_what_amtool_expects(repo):
    case = alertmanager.RouteTest({"team": "pki-core", "severity": "critical"}, ("pki-core-pager",))
    config = repo / ALERTMANAGER_CONFIG
    assert alertmanager.route_test_args(config, case) == [
        "config", "routes", "test", f"--config.file={config}",
        "--verify.receivers=pki-core-pager", "severity=critical", "team=pki-core"]


def test_wrong_expectation_is_reported_with_the_resolved_receiver(scratch, tools):
    table = scratch / ROUTE_TESTS
    cases = yaml.safe_load(table.read_text())
    cases.append({"labels": {"severity": "warning", "team": "pki-core", "service": "x"},
                  "receivers": ["pki-core-pager"]})
    table.write_text(yaml.safe_dump(cases))
    findings = alertmanager.check_routes(scratch, tools)
    assert len(findings) == 1
    assert findings[0].rule == "route-test"
    assert "routes to pki-core-channel, expected pki-core-pager" in findings[0].message


def test_info_never_pages_even_when_routing_changes(scratch, tools):
    config = scratch / ALERTMANAGER_CONFIG
    # Moving the info route below the critical one would page teams for info alerts.
    text = config.read_text().replace("""    - matchers: ['severity="info"']
      receiver: "null"
""", "")
    config.write_text(text)
    assert alertmanager.check_config(scratch, tools) == []
    findings = alertmanager.check_routes(scratch, tools)
    assert any("severity=info" in f.message for f in findings)


def test_untested_receiver_is_reported(scratch, tools):
    table = scratch / ROUTE_TESTS
    cases = [c for c in yaml.safe_load(table.read_text())
             if c["receivers"] != ["experience-pager"]]
    table.write_text(yaml.safe_dump(cases))
    findings = alertmanager.check_routes(scratch, tools)
    assert [(f.rule, f.message) for f in findings] == [
        ("route-untested", "receiver 'experience-pager' is not the expected receiver of any case")]


def test_no_inline_secrets(repo):
    config = yaml.safe_load((repo / ALERTMANAGER_CONFIG).read_text())
    for receiver in config["receivers"]:
        for pd in receiver.get("pagerduty_configs", []):
            assert "routing_key" not in pd and "service_key" not in pd
        for slack in receiver.get("slack_configs", []):
            assert "api_url" not in slack
