"""The per-service budget bars of `slo-report --format markdown`."""
from __future__ import annotations

from marty_platform.monitoring.budget_bars import bar, bar_lines
from marty_platform.monitoring.slo_report import Row


def test_bar_fills_in_eighths():
    assert bar(1.0) == "█" * 20
    assert bar(0.0) == "░" * 20
    assert bar(0.5) == "█" * 10 + "░" * 10
    assert bar(0.18) == "███▋" + "░" * 16  # 3.6 cells: 3 full and 5/8
    assert bar(-0.37) == "░" * 19 + "!"
    assert bar(None) == " " * 20
    assert all(len(bar(x / 100)) == 20 for x in range(-50, 151))


def test_one_line_per_service_with_its_lowest_budget():
    rows = [Row("a", "availability", 0.999, 0.0008, 0.2, "AT RISK"),
            Row("a", "latency", 0.99, 0.001, 0.9, "OK"),
            Row("bb", "latency", 0.99, None, None, "NO DATA")]
    assert bar_lines(rows) == [
        "a   ████░░░░░░░░░░░░░░░░    20.0%  AT RISK (availability)",
        "bb                        no data  NO DATA (latency)"]


def test_markdown_report_carries_the_bars(run_cli):
    outcome = run_cli("slo-report", "--results", "tests/monitoring/fixtures/slo-results.json",
                      "--format", "markdown")
    assert "inspection-system  ░░░░░░░░░░░░░░░░░░░!   -37.0%  EXHAUSTED" in outcome.stdout
