"""GitHub Actions workflow commands: annotations, then the human-readable report.

Everything in an annotation can come from the pull request (a file name, a key, a tool's message),
so every value is escaped the way the runner unescapes it (actions/toolkit, command.ts): a
property also escapes `:` and `,`, which would otherwise end it, and no value can carry a line
break that starts a command of its own. The human-readable report that follows is printed with
workflow commands stopped, under a token the pull request cannot know. Every command's github
format is built here.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from marty_platform.model import Report
from marty_platform.report import text


@dataclass(frozen=True)
class Annotation:
    level: str  # error, warning or notice
    title: str
    message: str
    file: str = ""
    line: int | None = None


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_commands(annotations: list[Annotation], body: str) -> str:
    """One command per annotation, then `body` shown verbatim (commands stopped)."""
    lines = []
    for item in annotations:
        props = {"file": item.file, "line": str(item.line) if item.line else "",
                 "title": item.title}
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in props.items()
                          if value)
        lines.append(f"::{item.level} {joined}::{escape_data(item.message)}")
    token = secrets.token_hex(16)
    lines += [f"::stop-commands::{token}", body.rstrip("\n"), f"::{token}::"]
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    annotations = [Annotation(level={"error": "error", "warning": "warning"}.get(
                                  item.severity.value, "notice"),
                              title=f"{item.check}/{item.rule}", message=item.message,
                              file=item.file, line=item.line)
                   for item in report.findings]
    return workflow_commands(annotations, text.render(report))
