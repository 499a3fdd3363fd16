"""helm lint --strict on every chart with each of its values files (values.schema.json applies)."""
from __future__ import annotations

import re

from marty_platform import chartdocs
from marty_platform.chart_inputs import chart_inputs
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.repo import inside
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import clean_output
from marty_platform.yamlio import RULES as YAML_RULES
from marty_platform.yamlio import YamlError

CHECK = "helm"
RULES = declare(
    CHECK, "Helm charts: `helm lint` on every values file, documented values, safe schemas.",
    *YAML_RULES,
    Rule("lint", "`helm lint` reports an error"),
    Rule("undocumented-value", "a value has no `## @param` comment"),
    Rule("invalid-schema", "values.schema.json is not a valid JSON schema document"),
    Rule("schema-reference", "values.schema.json refers to a remote or outside schema"),
    module=__name__)
_LINE = re.compile(r"^\[(ERROR|WARNING)\]\s+(.*)$")


def values_files(root, chart) -> list:
    """The chart's default values plus every example values file shipped with it (none that a
    symlink leads out of the repo `root`)."""
    extra = inside(root, chart.glob("values-*.yaml")) + inside(root, (chart / "ci").glob("*.yaml"))
    return [None, *extra]


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    charts_dir = ctx.repo.root / "charts"
    charts = sorted(p.parent for p in charts_dir.glob("*/Chart.yaml")) if charts_dir.is_dir() else []
    for chart in charts:
        inputs = chart_inputs(chart, ctx.repo)
        result.findings += [finding(CHECK, p.rule, p.message, file=ctx.repo.rel(p.file),
                                    line=p.line) for p in inputs.problems]
        if inputs.escapes or inputs.problems:
            continue  # helm would read outside the repo (the yaml check reports symlinks)
        values_rel = ctx.repo.rel(chart / "values.yaml")
        try:
            undocumented = chartdocs.undocumented(chart)
        except YamlError as exc:
            result.findings.append(finding(CHECK, exc.rule, exc.message, file=values_rel,
                                           line=exc.line))
            continue
        for key in undocumented:
            result.findings.append(finding(
                CHECK, "undocumented-value", f"value {key!r} has no `## @param` comment; "
                "document it so the chart README lists it", file=values_rel))
        for values in values_files(ctx.repo.root, chart):
            args = ["lint", "--strict", str(chart)]
            if values is not None:
                args += ["--values", str(values)]
            target = ctx.repo.rel(values) if values is not None else ctx.repo.rel(chart / "Chart.yaml")
            completed = ctx.toolbox.run("helm", *args, problem_codes=(1,), subject=target)
            result.stats.checked += 1
            # helm lint prints each problem as `[ERROR] file: message` or `[WARNING] ...`.
            messages = [m.group(2) for m in map(_LINE.match, completed.stdout.splitlines()) if m]
            for message in completed.reported(messages, "lint message"):
                result.findings.append(finding(CHECK, "lint", clean_output(message, ctx.repo.root),
                                               file=target))
    return [result]
