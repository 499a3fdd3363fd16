"""Loading JSON a pull request wrote (chart schemas, dashboards, the cluster-scoped kinds): every
problem is a located JsonError, never a crash.

Python's json module recurses once per nesting level: `[[[[...]]]]` a few thousand deep raises
RecursionError, and data nested just under that limit overflows the next recursive walk over it.
Nesting deeper than yamlio.MAX_DEPTH is refused before anything is decoded, as YAML is. The rule
ids a JsonError carries are yamlio's (`syntax`, `too-deep`, `encoding`), so a check that declares
yamlio.RULES can report them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.yamlio import MAX_DEPTH

# A JSON string (skipped whole: brackets inside it do not nest), a bracket, or a line break.
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')


class JsonError(ValueError):
    def __init__(self, message: str, line: int | None = None, rule: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.rule = rule


def _too_deep_at(text: str) -> int | None:
    """The line where the text first nests deeper than MAX_DEPTH, or None."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth, line = 0, 1
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece == "\n":
            line += 1
        elif piece in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif piece in "]}":
            depth -= 1
    return None


def loads(text: str) -> object:
    """The JSON value of `text`; raises JsonError with a 1-based line."""
    line = _too_deep_at(text)
    if line is not None:
        raise JsonError(f"document nests deeper than {MAX_DEPTH} levels; refusing to load it",
                        line=line, rule="too-deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonError(exc.msg, line=exc.lineno) from None
    except RecursionError:  # cannot happen below MAX_DEPTH; never a crash if it does
        raise JsonError("document nests too deeply to load", rule="too-deep") from None


def read_text(path: Path) -> str:
    """The text of a file; raises JsonError when it cannot be read or is not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JsonError(f"cannot read file: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonError(f"file is not UTF-8 (invalid byte at offset {exc.start})",
                        line=raw[:exc.start].count(b"\n") + 1, rule="encoding") from None


def load_file(path: Path) -> object:
    """The JSON value of a file; raises JsonError (an unreadable or non-UTF-8 file too)."""
    return loads(read_text(path))


def load_schema(path: Path, shown: str) -> dict:
    """A JSON schema object of the repo, for a generator; UsageError (the generated check's
    finding) naming `shown` when it does not load or is not an object."""
    try:
        schema = load_file(path)
    except JsonError as exc:
        raise UsageError(f"{shown}:{exc.line or ''}: {exc.message}") from None
    if not isinstance(schema, dict):
        raise UsageError(f"{shown}: a JSON schema must be an object")
    return schema


def line_of(path: Path, needle: str) -> int | None:
    """The first line of a file holding `needle` as a JSON string, for locating a finding."""
    try:
        lines = read_text(path).splitlines()
    except JsonError:
        return None
    quoted = json.dumps(needle)
    return next((number for number, line in enumerate(lines, 1) if quoted in line), None)
