"""The service catalog's references: dependencies, teams, databases, unique names.

Its schema is checked with the other config files (repo_config); this check adds what a schema
cannot say, with the file and line of each problem (see catalog.validation).
"""
from __future__ import annotations

from marty_platform.catalog import validation
from marty_platform.catalog.model import CATALOG
from marty_platform.context import RunContext
from marty_platform.model import CheckResult


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(validation.CHECK)
    if (ctx.repo.root / CATALOG).is_file():
        result.stats.checked += 1
        result.findings += validation.problems(ctx.repo.root, schema=False)
    return [result]
