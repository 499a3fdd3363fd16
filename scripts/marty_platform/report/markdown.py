"""--format markdown for validate: a pull-request comment, the verdict first, then a table of the
findings (every cell escaped: file names and messages come from the pull request)."""
from __future__ import annotations

from marty_platform.model import Report
from marty_platform.report.stats import stats
from marty_platform.report.text import printable

MARKER = "<!-- marty-validate -->"
MAX_ROWS = 300  # a comment body has a size limit; the full list is in the job's log


def cell(value: str) -> str:
    """Safe inside a table cell: no pipe, line break or HTML from the input."""
    return (printable(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("`", "ʼ"))


def render(report: Report) -> str:
    data = stats(report)
    verdict = "OK" if report.ok else "FAILED"
    out = [MARKER, f"### Validation {verdict}: {data['errors']} error(s), "
           f"{data['warnings']} warning(s)", ""]
    if data["envs"]:
        out += [f"Envs: {', '.join(data['envs'])}", ""]
    if report.findings:
        out += ["| Severity | Location | Env | Resource | Rule | Message |",
                "|---|---|---|---|---|---|"]
        for item in report.findings[:MAX_ROWS]:
            location = f"{item.file}:{item.line}" if item.line else (item.file or "-")
            out.append(f"| {item.severity.value} | `{cell(location)}` | {cell(item.env or '-')} "
                       f"| {cell(item.resource or '-')} | `{item.check}/{item.rule}` "
                       f"| {cell(item.message)} |")
        if len(report.findings) > MAX_ROWS:
            out.append(f"| … | {len(report.findings) - MAX_ROWS} more | | | | |")
        out.append("")
    out += [f"- note: {cell(note)}" for note in report.notes]
    return "\n".join(out).rstrip("\n") + "\n"
