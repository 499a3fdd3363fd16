"""The files a scanner crashes on, found by scanning halves again.

A crafted file (a field of a type the scanner's parser does not expect, nesting its graph builder
recurses through) can make a scanner exit with a traceback instead of a report. That must
neither pass nor stop the run with a message naming no file: the files are split in halves and
each half is scanned again, until each file that still crashes the scanner on its own is found.
Those are returned as crashed, with the kind of exception the scanner ended with; the other files keep
their results. One crafted file among n costs about 2·log2(n) more scanner runs, only on a run
where the scanner crashed.

Only a crash is isolated (an exit status the scanner does not use for findings): a scanner that
could not start, timed out or printed an unreadable report fails the run as before.
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from marty_platform.errors import ToolFailed

CRASHED = "unexpected exit status"
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\b")

Scan = Callable[[Path], Iterable[tuple[str, dict]]]


def scan_isolating(scan: Scan, directory: Path, scratch: Callable[[], Path],
                   crashed: Callable[[str, str], dict]) -> list[tuple[str, dict]]:
    """`scan(directory)`'s (file, result) pairs; when the scanner crashes, the pairs of every
    file it does not crash on, and `(file, crashed(file, reason))` for each one it does.
    `scratch()` gives a new empty directory for each part scanned again."""
    try:
        return list(scan(directory))
    except ToolFailed as exc:
        if not exc.reason.startswith(CRASHED):
            raise
        files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                       if p.is_file())
        if not files:
            raise
        if len(files) == 1:
            return [(files[0], crashed(files[0], _exception(exc)))]
        middle = len(files) // 2
        found: list[tuple[str, dict]] = []
        for part in (files[:middle], files[middle:]):
            found += scan_isolating(scan, _staged(directory, part, scratch()), scratch, crashed)
        return found


def _staged(source: Path, names: list[str], target: Path) -> Path:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target / name)
    return target


def _exception(exc: ToolFailed) -> str:
    """The kind of exception the scanner's traceback ends with, and nothing of its message,
    which may quote the file (a secret value included)."""
    named = _EXCEPTION.match(exc.last_line)
    return named.group(1) if named else "an error"
