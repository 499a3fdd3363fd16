"""Alertmanager routing checked with the real amtool.

monitoring/alertmanager/route-tests.yaml lists cases `- labels: {...}\n  receivers: [...]`.
Each case becomes one `amtool config routes test --verify.receivers=...` command; amtool exits
non-zero when the resolved receivers differ and prints the ones it resolved. A route test that
fails without naming any resolved receiver is a tooling error; the route table is only tested
against a config amtool accepts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marty_platform.monitoring.findings import Finding, rel
from marty_platform.monitoring.layout import ALERTMANAGER_CONFIG, ROUTE_TESTS
from marty_platform.tools.runner import ToolBox
from marty_platform.yamlio import MAPPING_LINE, YamlError, load_one


@dataclass(frozen=True)
class RouteTest:
    labels: dict[str, str]
    receivers: tuple[str, ...]
    line: int | None = None


def load_route_tests(path: Path) -> tuple[list[RouteTest], list[str]]:
    """The cases of a route table, and a message for each malformed entry."""
    try:
        document = load_one(path, mapping_lines=True) or []
    except (OSError, YamlError) as exc:
        where = f" (line {exc.line})" if getattr(exc, "line", None) else ""
        return [], [f"the route table does not load{where}: "
                    f"{getattr(exc, 'message', None) or exc}"]
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
            labels={str(k): str(v) for k, v in labels.items() if k != MAPPING_LINE},
            receivers=tuple(str(r) for r in receivers),
            line=entry.get("__line__")))
    return tests, problems


def route_test_args(config: Path, test: RouteTest) -> list[str]:
    return ["config", "routes", "test", f"--config.file={config}",
            f"--verify.receivers={','.join(test.receivers)}",
            *(f"{name}={value}" for name, value in sorted(test.labels.items()))]


def route_test_message(tools: ToolBox, config: Path, test: RouteTest) -> str | None:
    """None if the route resolves to the expected receivers, else what it resolved to."""
    completed = tools.run("amtool", *route_test_args(config, test), problem_codes=(1,),
                          timeout=60, subject=ROUTE_TESTS.as_posix())
    resolved = completed.reported([line.strip() for line in completed.stdout.splitlines()
                                   if line.strip() and not line.startswith("WARNING")],
                                  "resolved receiver")
    if completed.ok:
        return None
    labels = " ".join(f"{k}={v}" for k, v in sorted(test.labels.items()))
    return (f"{{{labels}}} routes to {','.join(resolved)}, expected "
            f"{','.join(test.receivers)}")


def configured_receivers(config: Path) -> set[str]:
    try:
        document = load_one(config) or {}
    except (OSError, YamlError):
        return set()  # amtool and the yaml check name the problem
    if not isinstance(document, dict):
        return set()
    return {str(r.get("name")) for r in document.get("receivers") or [] if isinstance(r, dict)}


def check_config(root: Path, tools: ToolBox) -> list[Finding]:
    config = root / ALERTMANAGER_CONFIG
    completed = tools.run("amtool", "check-config", str(config), problem_codes=(1,), timeout=60,
                          subject=rel(config, root))
    detail = completed.rejection("FAILED")
    return [Finding(rel(config, root), None, "amtool-check-config", detail)] if detail else []


def check_routes(root: Path, tools: ToolBox) -> list[Finding]:
    config = root / ALERTMANAGER_CONFIG
    table = root / ROUTE_TESTS
    table_file = rel(table, root)
    if not table.is_file():
        return [Finding(table_file, None, "route-table", "no route test table")]
    tests, problems = load_route_tests(table)
    findings = [Finding(table_file, None, "route-table", p) for p in problems]
    for test in tests:
        message = route_test_message(tools, config, test)
        if message:
            findings.append(Finding(table_file, test.line, "route-test", message))
    tested = {r for t in tests for r in t.receivers}
    for receiver in sorted(configured_receivers(config) - tested - {"null"}):
        findings.append(Finding(table_file, None, "route-untested",
                                f"receiver {receiver!r} is not the expected receiver of any case"))
    return findings
