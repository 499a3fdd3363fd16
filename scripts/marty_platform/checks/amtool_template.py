"""monitoring/alertmanager/templates/: every notification template renders.

`amtool check-config` parses the templates but executes none, so a template that calls an
undefined template or function, or trips on the alert data, would only fail when Alertmanager
sends a notification. Each `{{ define "name" }}` is rendered here with `amtool template render`
on amtool's sample alerts (two firing alerts with labels, annotations and times), over every
template file at once, as Alertmanager loads them (`templates: [templates/*.tmpl]`).
"""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.monitoring.layout import MONITORING
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import ToolBox
from marty_platform.repo import inside

CHECK = "amtool-template"
TEMPLATES_DIR = MONITORING / "alertmanager" / "templates"
RULES = declare(
    CHECK, "Alertmanager notification templates (`amtool template render` of each defined "
    "template on a sample alert).",
    Rule("render", "a notification template does not parse or does not render"),
    module=__name__)
_DEFINE = re.compile(r'{{-?\s*define\s+"([^"]+)"')
# amtool: error: template: slack.tmpl:4:12: executing "..." ...
_LOCATION = re.compile(r"template: ([^:\s]+\.tmpl):(\d+)")


def template_files(root: Path) -> list[Path]:
    directory = root / TEMPLATES_DIR
    return inside(root, directory.glob("*.tmpl")) if directory.is_dir() else []


def defined_templates(path: Path) -> list[tuple[str, int]]:
    """(name, line) of each `define` in a template file."""
    return [(match.group(1), number)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            for match in _DEFINE.finditer(line)]


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    result.findings, result.stats.checked = check_templates(ctx.repo.root, ctx.toolbox)
    return [result]


def check_templates(root: Path, tools: ToolBox) -> tuple[list, int]:
    """Findings for the templates that fail, and how many were rendered."""
    files = template_files(root)
    glob = f"--template.glob={root / TEMPLATES_DIR}/*.tmpl"
    findings, rendered = [], 0
    for path in files:
        file = path.relative_to(root).as_posix()
        for name, line in defined_templates(path):
            rendered += 1
            completed = tools.run("amtool", "template", "render", glob,
                                  f'--template.text={{{{ template "{name}" . }}}}',
                                  problem_codes=(1,), timeout=60, subject=file)
            detail = completed.rejection("error")
            if detail:
                findings.append(_located(root, file, line, name, detail))
        if not defined_templates(path) and path.read_text(encoding="utf-8").strip():
            # A file without definitions still has to parse: render nothing with it.
            completed = tools.run("amtool", "template", "render", glob, "--template.text=",
                                  problem_codes=(1,), timeout=60, subject=file)
            detail = completed.rejection("error")
            if detail:
                findings.append(_located(root, file, None, "", detail))
    return findings, rendered


def _located(root: Path, file: str, line: int | None, name: str, detail: str):
    """The finding at the line amtool names (in whichever template file), else at the define."""
    match = _LOCATION.search(detail)
    if match and (root / TEMPLATES_DIR / match.group(1)).is_file():
        file, line = (TEMPLATES_DIR / match.group(1)).as_posix(), int(match.group(2))
    what = f"template {name!r}" if name else "the template files"
    return finding(CHECK, "render", f"{what} does not render: {detail}", file=file, line=line)
