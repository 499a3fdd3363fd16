"""The repo's own config files against their JSON schemas, as bound in schemas/bindings.yaml."""
from __future__ import annotations

from marty_platform import schema_bindings
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.rules import Rule, declare
from marty_platform.schema_check import schema_findings
from marty_platform.yamlio import YamlError, load_file

CHECK = "schema"
BINDINGS = schema_bindings.BINDINGS
RULES = declare(
    CHECK, "The repo's own config files against the JSON schemas schemas/bindings.yaml binds "
    "them to; the rule is the binding's.",
    Rule("bindings", "schemas/bindings.yaml cannot be read, names a missing schema or an "
         "undeclared rule"),
    Rule("config", "a config file breaks its schema (a binding without its own rule)"),
    Rule("env-config", "overlays/<env>/env.yaml breaks its schema"),
    Rule("service-catalog", "catalog/services.yaml breaks its schema"),
    Rule("policy-exceptions", "policies/exceptions.yaml breaks its schema"),
    Rule("drift-ignore", "config/drift-ignore.yaml breaks its schema"),
    Rule("platform-components", "catalog/platform-components.yaml breaks its schema"),
    Rule("platform-controllers", "catalog/platform-controllers.yaml breaks its schema"),
    module=__name__)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    repo = ctx.repo
    try:
        bindings = schema_bindings.load(repo.root)
    except (OSError, YamlError) as exc:
        result.findings.append(finding(CHECK, "bindings", f"cannot read bindings: {exc}",
                                       file=BINDINGS, line=getattr(exc, "line", None)))
        return [result]
    for binding in bindings.bindings:
        schema = binding.schema
        if not (repo.root / schema).is_file():
            result.findings.append(finding(CHECK, "bindings", f"schema {schema} does not exist",
                                           file=BINDINGS))
            continue
        if binding.checked_by:
            continue  # that check validates these files against this schema
        rule = binding.rule
        if rule not in RULES.rules:
            result.findings.append(finding(
                CHECK, "bindings", f"binding of {schema} names rule {rule!r}, which the schema "
                "check does not declare (checks/schema.py; see docs/checks.md)",
                file=BINDINGS))
            continue
        for path in schema_bindings.bound_files(repo.root, binding):
            result.stats.checked += 1
            try:
                docs = load_file(path)
            except (OSError, YamlError):
                result.stats.not_checked += 1  # the yaml check reports it
                continue
            if len(docs) > 1:
                result.findings.append(finding(
                    CHECK, rule,
                    f"expected one YAML document, found {len(docs)}",
                    file=repo.rel(path), line=docs[1].line))
            problems = schema_findings(repo, path, docs[0] if docs else None, schema, rule)
            result.findings += [item for _, item in problems]
    return [result]
