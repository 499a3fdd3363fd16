"""What helm reads from a chart: its files (helm follows symlinks), the packaged subcharts in it,
and what its values schemas point at.

Helm loads every file of a chart, following symlinks, and validates values against each chart's
`values.schema.json`, resolving each `$ref` it finds there: a `file:///` reference is read from
anywhere on disk, an `http://` one is fetched. Both are refused; a schema refers only to itself.
Helm names a file by the name it has in the chart, not by where a symlink leads, so a link named
`values.schema.json` is a schema whatever its target is called. A packaged subchart (a `.tgz`
under `charts/`) is loaded as well, schema included: its schemas are read from the archive and
held to the same rule.
"""
from __future__ import annotations

import gzip
import io
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from marty_platform import jsonio
from marty_platform.repo import Repo

SCHEMA_FILE = "values.schema.json"
PACKAGE_SUFFIX = ".tgz"
_REFERENCE_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
# Meta-schemas helm's validator ships with; any other $schema would be loaded from its URL.
_KNOWN_META_SCHEMAS = tuple(
    f"{scheme}://json-schema.org/{draft}" for scheme in ("http", "https")
    for draft in ("draft-04/schema", "draft-06/schema", "draft-07/schema",
                  "draft/2019-09/schema", "draft/2020-12/schema"))
# helm's own limits on a packaged chart (pkg/chart/loader: MaxDecompressedChartSize and
# MaxDecompressedFileSize): an archive past them does not load, so nothing past them is read.
_MAX_PACKAGE_BYTES = 100 * 1024 * 1024
_MAX_PACKAGED_FILE_BYTES = 5 * 1024 * 1024
# Packaged charts inside packaged charts, as deep as this; deeper nesting is refused.
_MAX_PACKAGE_NESTING = 8


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
    named: dict[Path, Path] = {}  # each file as the chart names it -> the file it is
    pending, seen = [chart_dir], set()
    while pending:
        top = pending.pop()
        if top.resolve() in seen:
            continue
        seen.add(top.resolve())
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            here = Path(dirpath)
            for name in sorted([*dirnames, *filenames]):
                path = here / name
                if path.is_symlink():
                    if not repo.is_inside(path):
                        inputs.escapes.append(path)
                    elif path.is_dir():
                        pending.append(path)  # walked under its name in the chart
                    elif path.is_file():
                        named[path] = path.resolve()
                elif name in filenames:
                    named[path] = path
    inputs.files.update(named.values())
    for name in sorted(named):
        if name.name == SCHEMA_FILE:
            inputs.problems += _schema_problems(name)
        elif name.name.lower().endswith(PACKAGE_SUFFIX):
            inputs.problems += _package_problems(name)
    return inputs


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def _schema_problems(path: Path) -> list[ChartProblem]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [ChartProblem(path, None, "invalid-schema",
                             f"{SCHEMA_FILE} cannot be read as UTF-8 JSON: {exc}")]
    return [ChartProblem(path, line, rule, message)
            for line, rule, message in _schema_text_problems(text)]


def _schema_text_problems(text: str) -> list[tuple[int | None, str, str]]:
    """(line, rule, message) of every way the schema `text` would make helm read or fetch
    something outside it."""
    try:
        schema = jsonio.loads(text)
    except jsonio.JsonError as exc:
        return [(exc.line, "invalid-schema", f"{SCHEMA_FILE} is not valid JSON: {exc.message}")]
    problems = []

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
                problems.append((_line_of(text, value), "schema-reference",
                                 f"{key} {value!r} points outside the schema; helm would read "
                                 "or fetch it. Keep definitions in the schema and refer to them "
                                 "with '#/...'"))
            elif key == "$id" or (key == "$schema" and
                                  value.rstrip("#") not in _KNOWN_META_SCHEMAS):
                problems.append((_line_of(text, value), "schema-reference",
                                 f"{key} {value!r} would make helm resolve references against "
                                 "another location"))

    visit(schema)
    return problems


class _Bounded(io.RawIOBase):
    """A stream that refuses to give more than `limit` bytes: a gzip bomb stops here."""

    def __init__(self, stream, limit: int):
        self._stream, self._left = stream, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise _Unreadable(f"it unpacks to more than {_MAX_PACKAGE_BYTES} bytes")
        self._left -= len(data)
        buffer[:len(data)] = data
        return len(data)


class _Unreadable(Exception):
    pass


def _package_problems(path: Path) -> list[ChartProblem]:
    """Every values schema a packaged chart holds (packaged subcharts in it included), held to
    the rule of `_schema_text_problems`; an archive that cannot be read is refused, since what
    helm would load from it cannot be checked."""
    try:
        with path.open("rb") as raw:
            found = _archive_problems(raw, PurePosixPath(), 1)
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile, _Unreadable,
            UnicodeDecodeError, ValueError) as exc:
        return [ChartProblem(path, None, "invalid-schema",
                             f"packaged chart {path.name} cannot be read, so the values schemas "
                             f"helm would load from it cannot be checked: {exc}")]
    return [ChartProblem(path, None, rule, f"{member}: {message}")
            for member, rule, message in found]


def _archive_problems(raw, prefix: PurePosixPath, depth: int) -> list[tuple[str, str, str]]:
    if depth > _MAX_PACKAGE_NESTING:
        raise _Unreadable(f"packaged charts nest deeper than {_MAX_PACKAGE_NESTING} levels")
    found = []
    stream = io.BufferedReader(_Bounded(gzip.GzipFile(fileobj=raw, mode="rb"),
                                        _MAX_PACKAGE_BYTES))
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            # helm reads any entry that is not a directory; a Windows-made archive uses `\`.
            name = prefix / member.name.replace("\\", "/")
            if member.isdir() or not (name.name == SCHEMA_FILE or
                                      name.name.lower().endswith(PACKAGE_SUFFIX)):
                continue
            if member.size > _MAX_PACKAGED_FILE_BYTES:
                raise _Unreadable(f"{name} is larger than {_MAX_PACKAGED_FILE_BYTES} bytes")
            content = archive.extractfile(member)
            data = content.read() if content is not None else b""
            if name.name == SCHEMA_FILE:
                text = data.decode("utf-8")
                found += [(str(name), rule, message)
                          for _, rule, message in _schema_text_problems(text)]
            else:
                found += _archive_problems(io.BytesIO(data), name, depth + 1)
    return found
