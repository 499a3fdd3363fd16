"""Human text: a summary table per env and check, then one line per finding; severities and
the verdict coloured when asked (the CLI asks when stdout is a terminal and NO_COLOR is unset)."""
from __future__ import annotations

import re

import click

from marty_platform.model import Report
from marty_platform.model import Finding
from marty_platform.report.stats import stats


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COLOURS = {"error": "red", "warning": "yellow", "info": "blue", "OK": "green", "FAILED": "red"}


def printable(value: str) -> str:
    """One finding, one line: a line break or terminal escape from the input is shown, not
    obeyed (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], value)


def _styled(word: str, colour: bool) -> str:
    return click.style(word, fg=_COLOURS.get(word), bold=True) if colour else word


def finding_line(item: Finding, colour: bool = False) -> str:
    """Everything from the input is made printable first; only our own styling is a terminal
    escape."""
    location = f"{item.file}:{item.line}" if item.line else (item.file or "-")
    head = printable(f"{location}  {item.env or '-'}  {item.resource or '-'}  "
                     f"{item.check}/{item.rule}  ")
    return f"{head}{_styled(item.severity.value, colour)}: {printable(item.message)}"


def render(report: Report, colour: bool = False) -> str:
    data = stats(report)
    rows = [("env", "check", "checked", "not checked", "errors", "warnings")]
    for env, per_check in data["by_env"].items():
        for check, c in per_check.items():
            rows.append((env, check, str(c["checked"]), str(c["not_checked"]), str(c["errors"]),
                         str(c["warnings"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines += [finding_line(f, colour) for f in report.findings]
    lines += [printable(f"note: {note}") for note in report.notes]
    verdict = _styled("OK" if report.ok else "FAILED", colour)
    lines.append(f"{verdict}: {data['errors']} error(s), {data['warnings']} warning(s)")
    return "\n".join(lines) + "\n"
