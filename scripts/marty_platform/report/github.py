"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line."""
from __future__ import annotations

from marty_platform.engine import Report
from marty_platform.report import text


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render(report: Report) -> str:
    lines = []
    for item in report.findings:
        level = {"error": "error", "warning": "warning"}.get(item.severity.value, "notice")
        props = f"file={item.file}" + (f",line={item.line}" if item.line else "")
        props += f",title={item.check}/{item.rule}"
        lines.append(f"::{level} {props}::{_escape(item.message)}")
    return "\n".join(lines) + ("\n" if lines else "") + text.render(report)
