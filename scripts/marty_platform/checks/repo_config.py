"""The repo's own config files against their JSON schemas, as bound in schemas/bindings.yaml."""
from __future__ import annotations

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.schema_check import schema_findings
from marty_platform.yamlio import YamlError, load_file, load_one

CHECK = "schema"
BINDINGS = "schemas/bindings.yaml"


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    repo = ctx.repo
    try:
        bindings = load_one(repo.root / BINDINGS) or {}
    except (OSError, YamlError) as exc:
        result.findings.append(finding(CHECK, "bindings", f"cannot read bindings: {exc}",
                                       file=BINDINGS))
        return [result]
    for binding in bindings.get("bindings", []):
        schema = binding["schema"]
        if not (repo.root / schema).is_file():
            result.findings.append(finding(CHECK, "bindings", f"schema {schema} does not exist",
                                           file=BINDINGS))
            continue
        for pattern in binding["files"]:
            for path in sorted(repo.root.glob(pattern)):
                result.stats.checked += 1
                try:
                    docs = load_file(path)
                except (OSError, YamlError):
                    result.stats.not_checked += 1  # the yaml check reports it
                    continue
                if len(docs) > 1:
                    result.findings.append(finding(
                        CHECK, binding.get("rule", "config"),
                        f"expected one YAML document, found {len(docs)}",
                        file=repo.rel(path), line=docs[1].line))
                problems = schema_findings(repo, path, docs[0] if docs else None, schema,
                                           binding.get("rule", "config"))
                result.findings += [item for _, item in problems]
    return [result]
