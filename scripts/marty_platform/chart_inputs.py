"""What helm reads from a chart: its files (helm follows symlinks), and what its values schema
points at.

Helm loads every file of a chart, following symlinks, and validates values against
`values.schema.json`, resolving each `$ref` it finds there: a `file:///` reference is read from
anywhere on disk, an `http://` one is fetched. Both are refused; a schema refers only to itself.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.repo import Repo

SCHEMA_FILE = "values.schema.json"
_REFERENCE_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
# Meta-schemas helm's validator ships with; any other $schema would be loaded from its URL.
_KNOWN_META_SCHEMAS = tuple(
    f"{scheme}://json-schema.org/{draft}" for scheme in ("http", "https")
    for draft in ("draft-04/schema", "draft-06/schema", "draft-07/schema",
                  "draft/2019-09/schema", "draft/2020-12/schema"))


@dataclass(frozen=True)
class ChartProblem:
    file: Path
    line: int | None
    rule: str
    message: str


@dataclass
class ChartInputs:
    files: set[Path] = field(default_factory=set)
    escapes: list[Path] = field(default_factory=list)  # symlinks out of the repo or into .git/
    problems: list[ChartProblem] = field(default_factory=list)


def chart_inputs(chart_dir: Path, repo: Repo) -> ChartInputs:
    """Every file helm reads from a chart, each symlink that leaves the repo or leads into .git/,
    and every schema reference that would make helm read or fetch something else. Links inside the
    repo are followed, once each."""
    inputs = ChartInputs()
    pending, seen = [chart_dir], set()
    while pending:
        top = pending.pop()
        if top in seen:
            continue
        seen.add(top)
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            here = Path(dirpath)
            for name in sorted([*dirnames, *filenames]):
                path = here / name
                if path.is_symlink():
                    if not repo.is_inside(path):
                        inputs.escapes.append(path)
                    elif path.is_dir():
                        pending.append(path.resolve())
                    elif path.is_file():
                        inputs.files.add(path.resolve())
                elif name in filenames:
                    inputs.files.add(path)
    for schema in sorted(p for p in inputs.files if p.name == SCHEMA_FILE):
        inputs.problems += _schema_problems(schema)
    return inputs


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def _schema_problems(path: Path) -> list[ChartProblem]:
    try:
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return [ChartProblem(path, None, "invalid-schema",
                             f"{SCHEMA_FILE} is not valid JSON: {exc}")]
    problems: list[ChartProblem] = []

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if not isinstance(value, str):
                visit(value)
            elif key in _REFERENCE_KEYS and not value.startswith("#"):
                problems.append(ChartProblem(path, _line_of(text, value), "schema-reference",
                                             f"{key} {value!r} points outside the schema; helm "
                                             "would read or fetch it. Keep definitions in the "
                                             "schema and refer to them with '#/...'"))
            elif key == "$id" or (key == "$schema" and
                                  value.rstrip("#") not in _KNOWN_META_SCHEMAS):
                problems.append(ChartProblem(path, _line_of(text, value), "schema-reference",
                                             f"{key} {value!r} would make helm resolve "
                                             "references against another location"))

    visit(schema)
    return problems
