"""Monitoring findings (the engine's one Finding type, check "monitoring") and line helpers."""
from __future__ import annotations

from pathlib import Path

from marty_platform import model

CHECK = "monitoring"


def Finding(file: str, line: int | None, rule: str, message: str) -> model.Finding:  # noqa: N802
    """A finding about a monitoring asset; `file` is relative to the repository root."""
    return model.finding(CHECK, rule, message, file=file, line=line)


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    """1-based line of the first occurrence of `needle` at or after `start_line`, else None."""
    lines = text.splitlines()
    for number in range(max(start_line, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return None
