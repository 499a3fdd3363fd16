"""The service catalog's references: dependencies, teams, databases, unique names.

Its schema is checked with the other config files (repo_config); this check adds what a schema
cannot say, with the file and line of each problem (see catalog.validation).
"""
from __future__ import annotations

from marty_platform.catalog import validation
from marty_platform.catalog.model import CATALOG
from marty_platform.context import RunContext
from marty_platform.model import CheckResult
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import RULES as YAML_RULES

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
    module=__name__)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(validation.CHECK)
    if (ctx.repo.root / CATALOG).is_file():
        result.stats.checked += 1
        result.findings += validation.problems(ctx.repo.root, schema=False)
    return [result]
