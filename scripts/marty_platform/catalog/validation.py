"""Is catalog/services.yaml sound enough to generate from?

Every name in the catalog becomes a directory, a Kubernetes object name and a reference elsewhere,
so a typo must stop here, located, rather than surface as a KeyError in a generator or as a file
written somewhere unexpected. Checked:

- the schema (schemas/service-catalog.schema.json): names and teams are DNS-1123 labels,
  required fields, types;
- service names are unique;
- every dependency is a catalog service or a piece of infrastructure (INFRA), and not the
  service itself;
- `database: true` goes with a `postgresql` dependency, and the other way round (one gives the
  service its database cluster, the other its network path to it);
- every team has a route in the Alertmanager configuration, when the repo has one (a team
  without one has its pages fall through to the platform receivers).

The catalog has no topics: Kafka access is the `kafka` dependency.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from marty_platform.catalog.model import CATALOG, INFRA
from marty_platform.model import Finding, finding
from marty_platform.repo import Repo
from marty_platform.schema_check import describe, schema_errors
from marty_platform.yamlio import YamlError, load_file, load_one, locate_pointer

CHECK = "catalog"
SCHEMA = "schemas/service-catalog.schema.json"
ALERTMANAGER = "monitoring/alertmanager/alertmanager.yaml"
_TEAM_MATCHER = re.compile(r"""team\s*=~?\s*["']?([-a-z0-9]+)""")


class CatalogInvalid(Exception):
    """The catalog has problems; nothing may be generated from it."""

    def __init__(self, findings: list[Finding]):
        super().__init__(f"{CATALOG} has {len(findings)} problem(s)")
        self.findings = findings


def problems(root: Path, *, schema: bool = True) -> list[Finding]:
    """Every problem of the catalog, each with file and line. `schema=False` leaves the schema
    to the caller (`scripts/validate` checks every bound config file in its schema check)."""
    path = root / CATALOG
    try:
        docs = load_file(path)
    except OSError as exc:
        return [finding(CHECK, "unreadable", f"cannot read the catalog: {exc.strerror}",
                        file=CATALOG)]
    except YamlError as exc:
        return [finding(CHECK, exc.rule, exc.message, file=CATALOG, line=exc.line)]
    if len(docs) != 1:
        return [finding(CHECK, "shape", f"expected one YAML document, found {len(docs)}",
                        file=CATALOG, line=docs[1].line if docs else None)]
    data, doc_line = docs[0].data, docs[0].line

    def at(*pointer) -> int | None:
        return locate_pointer(path, doc_line, "/" + "/".join(str(p) for p in pointer))

    found: list[Finding] = []
    if schema:
        for error in schema_errors(Repo(root), data, SCHEMA):
            found.append(finding(CHECK, "schema", f"{describe(error)} (schema {SCHEMA})",
                                 file=CATALOG, line=at(*error.absolute_path)))
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list):
        if not found:
            found.append(finding(CHECK, "shape", "`services` must be a list of services",
                                 file=CATALOG, line=at("services")))
        return found
    entries = [(i, s) for i, s in enumerate(services)
               if isinstance(s, dict) and isinstance(s.get("name"), str)]
    found += _duplicates(entries, at)
    found += _dependencies(entries, at)
    found += _databases(entries, at)
    found += _teams(root, entries, at)
    return found


def check(root: Path) -> None:
    """Raise CatalogInvalid when the catalog cannot be generated from."""
    found = problems(root)
    if found:
        raise CatalogInvalid(found)


def _duplicates(entries, at) -> list[Finding]:
    first: dict[str, int] = {}
    found = []
    for index, service in entries:
        name = service["name"]
        if name in first:
            earlier = at("services", first[name], "name")
            found.append(finding(CHECK, "duplicate-service",
                                 f"service {name!r} is already defined on line {earlier}",
                                 file=CATALOG, line=at("services", index, "name")))
        else:
            first[name] = index
    return found


def _dependencies(entries, at) -> list[Finding]:
    names = {service["name"] for _, service in entries}
    found = []
    for index, service in entries:
        dependencies = service.get("dependencies")
        for position, dep in enumerate(dependencies if isinstance(dependencies, list) else []):
            line = at("services", index, "dependencies", position)
            if dep == service["name"]:
                found.append(finding(CHECK, "self-dependency",
                                     f"service {dep!r} depends on itself", file=CATALOG, line=line))
            elif isinstance(dep, str) and dep not in names and dep not in INFRA:
                close = difflib.get_close_matches(dep, [*names, *INFRA], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                found.append(finding(CHECK, "unknown-dependency",
                                     f"{service['name']} depends on {dep!r}, which is neither a "
                                     f"catalog service nor infrastructure "
                                     f"({', '.join(sorted(INFRA))}){hint}",
                                     file=CATALOG, line=line))
    return found


def _databases(entries, at) -> list[Finding]:
    found = []
    for index, service in entries:
        dependencies = service.get("dependencies")
        uses_postgres = isinstance(dependencies, list) and "postgresql" in dependencies
        if service.get("database") is True and not uses_postgres:
            found.append(finding(CHECK, "database-dependency",
                                 f"{service['name']} has `database: true` but does not depend on "
                                 "postgresql (its pods could not reach the database)",
                                 file=CATALOG, line=at("services", index, "database")))
        elif service.get("database") is False and uses_postgres:
            found.append(finding(CHECK, "database-dependency",
                                 f"{service['name']} depends on postgresql but has "
                                 "`database: false` (no database cluster would be created)",
                                 file=CATALOG, line=at("services", index, "database")))
    return found


def _teams(root: Path, entries, at) -> list[Finding]:
    routed = alertmanager_teams(root)
    if routed is None:
        return []
    found = []
    for index, service in entries:
        team = service.get("team")
        if isinstance(team, str) and team not in routed:
            found.append(finding(CHECK, "unknown-team",
                                 f"team {team!r} of {service['name']} has no route in "
                                 f"{ALERTMANAGER} (known: {', '.join(sorted(routed))}); its "
                                 "alerts would page nobody on the team",
                                 file=CATALOG, line=at("services", index, "team")))
    return found


def alertmanager_teams(root: Path) -> set[str] | None:
    """The teams the Alertmanager routing tree names in its matchers; None without that file
    (or when it cannot be read: the monitoring check reports that)."""
    try:
        config = load_one(root / ALERTMANAGER)
    except (OSError, YamlError):
        return None
    teams: set[str] = set()

    def walk(route) -> None:
        if not isinstance(route, dict):
            return
        for matcher in route.get("matchers") or []:
            if isinstance(matcher, str):
                teams.update(_TEAM_MATCHER.findall(matcher))
        for child in route.get("routes") or []:
            walk(child)

    walk(config.get("route") if isinstance(config, dict) else None)
    return teams or None
