"""Comparing and writing whole generated files, shared by the generators."""
from __future__ import annotations

from pathlib import Path


def sync_files(outputs: dict[Path, str], write: bool) -> list[Path]:
    """For generators that produce whole files: compare, and optionally write, each output."""
    stale = [path for path, text in sorted(outputs.items())
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if write:
        for path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(outputs[path], encoding="utf-8")
    return stale


def orphans(wanted: dict[Path, str], directory: Path, pattern: str, write: bool) -> list[Path]:
    """Files under `directory` matching `pattern` that no source produces any more; removed (with
    directories left empty) when `write` is true."""
    found = [p for p in sorted(directory.glob(pattern)) if p not in wanted] \
        if directory.is_dir() else []
    if write:
        for path in found:
            path.unlink()
            if path.parent != directory and not any(path.parent.iterdir()):
                path.parent.rmdir()
    return found
