"""PromQL helpers: the metric names an expression reads, and parsing through promtool.

promtool has no "parse this expression" command that takes many expressions at once, so
`parse_errors` writes all of them as recording rules into one temporary rule file and runs
`promtool check rules` once; promtool names the failing rule by group and index.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml

from marty_platform.tools.runner import Command, run

KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan", "atan2", "start", "end",
}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_NAME_MATCHER = re.compile(r'__name__\s*=\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')')
_BRACES = re.compile(r"\{[^{}]*\}")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENT = re.compile(r"(?<![\w:.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")

# Grafana template variables, replaced by something PromQL accepts before parsing.
_RANGE_VARIABLE = re.compile(r"\$(?:__rate_interval|__interval|__range|\{[^}]*\}|[A-Za-z_]\w*)(?=\s*[\]:])")
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$__\w+|\$[A-Za-z_]\w*|\[\[\w+\]\]")


def expand_grafana_variables(expr: str) -> str:
    """Replace $var, ${var}, [[var]] and $__interval-style macros with parseable stand-ins."""
    expr = _RANGE_VARIABLE.sub("5m", expr)
    return _VARIABLE.sub("grafana_variable", expr)


def metric_names(expr: str) -> set[str]:
    """Metric names an expression selects (functions, keywords and label names excluded)."""
    names = {m.group(1)[1:-1] for m in _NAME_MATCHER.finditer(expr)}
    text = _STRING.sub('""', expr)
    text = _BRACES.sub("{}", text)
    text = _BRACKETS.sub("[]", text)
    text = _GROUPING.sub(" ", text)
    for match in _IDENT.finditer(text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def parse_errors(exprs: list[str], promtool: Path | str) -> dict[int, str]:
    """Index -> promtool's error for each expression that does not parse (empty if all do)."""
    if not exprs:
        return {}
    rules = [{"record": f"expr_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    with tempfile.TemporaryDirectory(prefix="promql-") as tmp:
        path = Path(tmp) / "exprs.yaml"
        path.write_text(yaml.safe_dump({"groups": [{"name": "exprs", "rules": rules}]},
                                       sort_keys=False), encoding="utf-8")
        proc = run(Command(argv=(str(promtool), "check", "rules", str(path)), timeout=120))
    if proc.returncode == 0:
        return {}
    errors: dict[int, str] = {}
    output = proc.stderr + proc.stdout
    for line in output.splitlines():
        match = re.search(r'rule (\d+)[^:]*:\s*(.*)', line)
        if match and "group" in line:
            errors[int(match.group(1)) - 1] = match.group(2).strip()
    if not errors:  # promtool failed without naming a rule: blame every expression
        detail = output.strip().splitlines()[-1] if output.strip() else f"exit {proc.returncode}"
        errors = {i: detail for i in range(len(exprs))}
    return errors
