"""Grafana datasource uids: the ones Grafana is provisioned with (monitoring/grafana-datasources.yaml)
and the ones each dashboard names, in panels, targets and links (`datasource.uid`,
`datasourceUid`). A uid nothing provides leaves a panel empty or a link dead, silently."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from marty_platform.monitoring.findings import line_of
from marty_platform.monitoring.layout import MONITORING
from marty_platform.yamlio import YamlError, load_one

DATASOURCES = MONITORING / "grafana-datasources.yaml"
# Grafana's own pseudo datasources, always present.
BUILT_IN = {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"}
_VARIABLE = re.compile(r"^\$(?:\{(\w+)(?::\w+)?\}|(\w+))$")


class DatasourceListError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


def provisioned_uids(root: Path) -> set[str]:
    """The uids of monitoring/grafana-datasources.yaml (`datasources: [{uid, type}]`)."""
    path = root / DATASOURCES
    if not path.is_file():
        raise DatasourceListError(f"{DATASOURCES.as_posix()} does not exist: it lists the "
                                  "datasource uids Grafana is provisioned with")
    try:
        document = load_one(path)
    except YamlError as exc:
        raise DatasourceListError(exc.message, exc.line) from None
    entries = document.get("datasources") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("uid"), str)
                                                and e["uid"] for e in entries):
        raise DatasourceListError("expected `datasources:`, a list of {uid, type}", 1)
    return {entry["uid"] for entry in entries}


@dataclass(frozen=True)
class UidReference:
    uid: str
    where: str  # "panel 'X'", "a link of panel 'X'"


def _datasource_variables(dashboard: dict) -> set[str]:
    return {str(v.get("name")) for v in (dashboard.get("templating") or {}).get("list") or []
            if isinstance(v, dict) and v.get("type") == "datasource"}


def uid_references(dashboard: dict) -> list[UidReference]:
    """Every literal datasource uid the dashboard names; a `${var}` naming one of its datasource
    variables is resolved by Grafana and not a reference."""
    variables = _datasource_variables(dashboard)
    found: list[UidReference] = []

    def visit(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "title" in node and "type" in node and ("targets" in node or "panels" in node):
                where = f"panel {node['title']!r}"
            for key, value in node.items():
                uid = None
                if key == "datasource" and isinstance(value, dict):
                    uid = value.get("uid")
                elif key == "datasourceUid":
                    uid = value
                if isinstance(uid, str) and uid:
                    match = _VARIABLE.match(uid)
                    if not (match and (match.group(1) or match.group(2)) in variables):
                        found.append(UidReference(uid, where))
                visit(value, where)
        elif isinstance(node, list):
            for item in node:
                visit(item, where)

    visit(dashboard, "the dashboard")
    return found


def unknown_uids(text: str, dashboard: dict, known: set[str]) -> list[tuple[int | None, str]]:
    """(line, message) for each uid the dashboard names that no datasource has."""
    problems = []
    for ref in uid_references(dashboard):
        if ref.uid in known or ref.uid in BUILT_IN:
            continue
        problems.append((line_of(text, json.dumps(ref.uid)),
                         f"{ref.where} names datasource uid {ref.uid!r}, which Grafana is not "
                         f"provisioned with (known: {', '.join(sorted(known))}; "
                         f"{DATASOURCES.as_posix()})"))
    return problems
