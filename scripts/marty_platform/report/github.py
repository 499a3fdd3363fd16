"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line.

Everything in a finding can come from the pull request (a file name, a key, a tool's message),
so every value is escaped the way the runner unescapes it (actions/toolkit, command.ts): a
property also escapes `:` and `,`, which would otherwise end it, and no value can carry a line
break that starts a command of its own. The human-readable report that follows is printed with
workflow commands stopped, under a token the pull request cannot know.
"""
from __future__ import annotations

import secrets

from marty_platform.engine import Report
from marty_platform.report import text


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for item in report.findings:
        level = {"error": "error", "warning": "warning"}.get(item.severity.value, "notice")
        props = {"file": item.file, "line": str(item.line) if item.line else "",
                 "title": f"{item.check}/{item.rule}"}
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in props.items()
                          if value)
        lines.append(f"::{level} {joined}::{escape_data(item.message)}")
    token = secrets.token_hex(16)
    lines += [f"::stop-commands::{token}", text.render(report).rstrip("\n"), f"::{token}::"]
    return "\n".join(lines) + "\n"
