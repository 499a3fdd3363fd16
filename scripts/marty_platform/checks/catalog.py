"""The service catalog's references: dependencies, teams, databases, unique names.

Its schema is checked with the other config files (checks/schema.py); this check adds what a schema
cannot say, with the file and line of each problem (see catalog.validation).
"""
from __future__ import annotations

from pathlib import Path

from marty_platform.catalog import validation
from marty_platform.catalog.components import COMPONENTS, PLACEHOLDER
from marty_platform.catalog.model import CATALOG
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, Finding, Severity, finding
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import RULES as YAML_RULES
from marty_platform.yamlio import YamlError, load_one, locate_pointer

RULES = declare(
    validation.CHECK, "The service catalog (catalog/services.yaml): what its schema cannot say.",
    *YAML_RULES,
    Rule("unreadable", "the catalog cannot be read"),
    Rule("shape", "the catalog is not one document with a list of services"),
    Rule("schema", "the catalog breaks schemas/service-catalog.schema.json"),
    Rule("duplicate-service", "two services have the same name"),
    Rule("self-dependency", "a service depends on itself"),
    Rule("unknown-dependency", "a dependency is neither a catalog service nor infrastructure"),
    Rule("database-dependency", "`database: true` without a postgresql dependency, or the "
         "reverse"),
    Rule("unknown-team", "a team has no route in the Alertmanager config"),
    Rule("placeholder-digest", "a platform component's digest is a placeholder, not the "
         "registry's digest of its tag", Severity.WARNING),
    module=__name__)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(validation.CHECK)
    if (ctx.repo.root / CATALOG).is_file():
        result.stats.checked += 1
        result.findings += validation.problems(ctx.repo.root, schema=False)
    if (ctx.repo.root / COMPONENTS).is_file():
        result.stats.checked += 1
        result.findings += _placeholder_digests(ctx.repo.root / COMPONENTS)
    return [result]


def _placeholder_digests(path: Path) -> list[Finding]:
    """A placeholder digest pins nothing real: it must not pass silently. (Syntax and schema
    problems of the file are the yaml and schema checks'.)"""
    try:
        data = load_one(path)
    except (OSError, YamlError):
        return []
    components = data if isinstance(data, dict) else {}
    return [finding(RULES.check, "placeholder-digest",
                    f"{name}: digest {component.get('digest')} is a placeholder, not the digest "
                    f"the registry reports for {component.get('image')}:{component.get('tag')}; "
                    "record the real one (`crane digest`) and set `digestSource: registry`",
                    file=COMPONENTS, line=locate_pointer(path, None, f"/{name}/digest"))
            for name, component in components.items()
            if isinstance(component, dict) and component.get("digestSource") == PLACEHOLDER]
