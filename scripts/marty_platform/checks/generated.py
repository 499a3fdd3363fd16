"""Generated files must match their sources (rerun `scripts/generate` when this fails), and the
carried CRD schemas the copies recorded in schemas/crds/sources.yaml."""
from __future__ import annotations

from marty_platform import crd_controllers, crd_schemas, generators
from marty_platform.catalog import controllers as catalog_controllers
from marty_platform.catalog import validation as catalog_validation
from marty_platform.catalog.model import CATALOG
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, finding
from marty_platform.rules import Rule, declare

CHECK = "generated"
RULES = declare(
    CHECK, "Generated files match their sources; carried CRD schemas match their catalog copy.",
    *(Rule(name, f"a file the {name} generator writes is stale, missing or orphaned")
      for name in generators.GENERATORS),
    Rule("crd-schemas", "a carried CRD schema differs from the copy sources.yaml records"),
    Rule("crd-version", "a carried CRD schema was taken for another version of its controller "
         "than the pinned one (catalog/platform-controllers.yaml)"),
    Rule("crd-controller", "a carried CRD schema's kind is served by no platform controller"),
    module=__name__)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    if (ctx.repo.root / CATALOG).is_file() and catalog_validation.problems(ctx.repo.root):
        # Nothing can be generated from an unsound catalog; the catalog check reports why.
        result.stats.not_checked += len(generators.GENERATORS)
        return [result]
    for name, generate in generators.GENERATORS.items():
        result.stats.checked += 1
        try:
            stale = generate(ctx.repo.root, ctx.settings, False)
        except UsageError as exc:
            result.findings.append(finding(CHECK, name, str(exc)))
            continue
        for path in stale:
            result.findings.append(finding(
                CHECK, name, "generated file is stale, missing or orphaned; run "
                "`scripts/generate` and commit the result", file=ctx.repo.rel(path)))
    result.stats.checked += 1
    for name in crd_schemas.edited_copies(ctx.repo.root / crd_schemas.VENDORED_DIR):
        result.findings.append(finding(
            CHECK, "crd-schemas", "CRD schema differs from the catalog copy sources.yaml records; "
            "run `scripts/refresh-crd-schemas --from CATALOG_DIR`, or mark it `source: "
            "hand-written` there", file=f"{crd_schemas.VENDORED_DIR}/{name}"))
    if catalog_controllers.present(ctx.repo.root):
        result.stats.checked += 1
        try:
            controllers = catalog_controllers.load(ctx.repo.root)
        except UsageError as exc:  # the schema check names the line
            result.findings.append(finding(CHECK, "platform-controllers", str(exc)))
            return [result]
        directory = ctx.repo.root / crd_schemas.VENDORED_DIR
        for problem in crd_controllers.problems(directory, controllers):
            result.findings.append(finding(CHECK, problem.rule, problem.message,
                                           file=f"{crd_schemas.VENDORED_DIR}/{problem.schema}"))
    return [result]
