"""The repo's own config files against their JSON schemas, as bound in schemas/bindings.yaml."""
from __future__ import annotations

import datetime as dt

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.schema_check import validate_instance
from marty_platform.yamlio import YamlError, load_one

CHECK = "schema"
BINDINGS = "schemas/bindings.yaml"


def as_json(value):
    """YAML turns an unquoted 2027-01-31 into a date; JSON schemas expect the string."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


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
                rel = repo.rel(path)
                result.stats.checked += 1
                try:
                    data = load_one(path)
                except YamlError:
                    result.stats.not_checked += 1  # the yaml check reports it
                    continue
                for message in validate_instance(repo, as_json(data), schema):
                    result.findings.append(finding(CHECK, binding.get("rule", "config"),
                                                   f"{message} (schema {schema})", file=rel))
    return [result]
