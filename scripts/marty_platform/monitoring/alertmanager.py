"""Alertmanager routing checked with the real amtool.

monitoring/alertmanager/route-tests.yaml lists cases `- labels: {...}\n  receivers: [...]`.
Each case becomes one `amtool config routes test --verify.receivers=...` command; amtool exits
non-zero when the resolved receivers differ and prints the ones it resolved.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from marty_platform.monitoring.findings import Finding, rel
from marty_platform.monitoring.layout import ALERTMANAGER_CONFIG, ROUTE_TESTS
from marty_platform.monitoring.rulefiles import LineLoader
from marty_platform.tools.runner import Command, run


@dataclass(frozen=True)
class RouteTest:
    labels: dict[str, str]
    receivers: tuple[str, ...]
    line: int | None = None


@dataclass(frozen=True)
class RouteResult:
    test: RouteTest
    returncode: int
    stdout: str
    stderr: str


def load_route_tests(path: Path) -> tuple[list[RouteTest], list[str]]:
    """The cases of a route table, and a message for each malformed entry."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader) or []
    tests: list[RouteTest] = []
    problems: list[str] = []
    if not isinstance(document, list):
        return [], ["the route table must be a list of {labels, receivers} entries"]
    for number, entry in enumerate(document, 1):
        labels = entry.get("labels") if isinstance(entry, dict) else None
        receivers = entry.get("receivers") if isinstance(entry, dict) else None
        if not isinstance(labels, dict) or not isinstance(receivers, list) or not receivers:
            problems.append(f"entry {number}: needs a `labels` map and a non-empty "
                            "`receivers` list")
            continue
        tests.append(RouteTest(
            labels={str(k): str(v) for k, v in labels.items() if k != "__line__"},
            receivers=tuple(str(r) for r in receivers),
            line=entry.get("__line__")))
    return tests, problems


def route_test_command(amtool: Path | str, config: Path, test: RouteTest) -> list[str]:
    return [str(amtool), "config", "routes", "test", f"--config.file={config}",
            f"--verify.receivers={','.join(test.receivers)}",
            *(f"{name}={value}" for name, value in sorted(test.labels.items()))]


def run_route_test(amtool: Path | str, config: Path, test: RouteTest) -> RouteResult:
    proc = run(Command(argv=tuple(route_test_command(amtool, config, test)), timeout=60))
    return RouteResult(test, proc.returncode, proc.stdout, proc.stderr)


def interpret(result: RouteResult) -> str | None:
    """None if the route resolved to the expected receivers, else what went wrong."""
    if result.returncode == 0:
        return None
    resolved = [line.strip() for line in result.stdout.splitlines()
                if line.strip() and not line.startswith("WARNING")]
    labels = " ".join(f"{k}={v}" for k, v in sorted(result.test.labels.items()))
    if resolved:
        return (f"{{{labels}}} routes to {','.join(resolved)}, expected "
                f"{','.join(result.test.receivers)}")
    detail = (result.stderr or result.stdout).strip().splitlines()
    return f"{{{labels}}}: amtool failed: {detail[-1] if detail else result.returncode}"


def configured_receivers(config: Path) -> set[str]:
    document = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return {str(r.get("name")) for r in document.get("receivers") or [] if isinstance(r, dict)}


def check_config(root: Path, amtool: Path | str) -> list[Finding]:
    config = root / ALERTMANAGER_CONFIG
    proc = run(Command(argv=(str(amtool), "check-config", str(config)), timeout=60))
    if proc.returncode == 0:
        return []
    detail = (proc.stderr or proc.stdout).strip().replace(str(root) + "/", "")
    return [Finding(rel(config, root), None, "amtool-check-config", detail[:1500])]


def check_routes(root: Path, amtool: Path | str) -> list[Finding]:
    config = root / ALERTMANAGER_CONFIG
    table = root / ROUTE_TESTS
    table_file = rel(table, root)
    if not table.is_file():
        return [Finding(table_file, None, "route-table", "no route test table")]
    tests, problems = load_route_tests(table)
    findings = [Finding(table_file, None, "route-table", p) for p in problems]
    for test in tests:
        message = interpret(run_route_test(amtool, config, test))
        if message:
            findings.append(Finding(table_file, test.line, "route-test", message))
    tested = {r for t in tests for r in t.receivers}
    for receiver in sorted(configured_receivers(config) - tested - {"null"}):
        findings.append(Finding(table_file, None, "route-untested",
                                f"receiver {receiver!r} is not the expected receiver of any case"))
    return findings
