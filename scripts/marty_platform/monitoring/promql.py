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

from marty_platform.tools.runner import ToolBox

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


def parse_errors(exprs: list[str], tools: ToolBox) -> dict[int, str]:
    """Index -> promtool's error for each expression that does not parse (empty if all do)."""
    if not exprs:
        return {}
    rules = [{"record": f"expr_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    with tempfile.TemporaryDirectory(prefix="promql-") as tmp:
        path = Path(tmp) / "exprs.yaml"
        path.write_text(yaml.safe_dump({"groups": [{"name": "exprs", "rules": rules}]},
                                       sort_keys=False), encoding="utf-8")
        completed = tools.run("promtool", "check", "rules", str(path), problem_codes=(1,),
                              timeout=120, subject="the dashboard queries")
    errors: dict[int, str] = {}
    for line in (completed.stderr + completed.stdout).splitlines():
        match = re.search(r'rule (\d+)[^:]*:\s*(.*)', line)
        if match and "group" in line:
            errors[int(match.group(1)) - 1] = match.group(2).strip()
    # The file is written here and always well-formed: a failure names a rule, or promtool failed.
    return dict(completed.reported(list(errors.items()), "failing expression"))
