"""All-or-nothing generation.

Generators build on each other's output (the catalog scaffolds SLO specs that Sloth turns into
rules that the prometheus-rules generator wraps), so they write as they go. To keep a failure
half-way from leaving the repo half-regenerated, `scripts/generate` runs them on a private copy
of the repo under the cache directory and, only when every generator succeeded, applies the
difference to the repo: each file replaced whole (written next to its target, then renamed), and
the files already replaced restored if a later one cannot be written.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from marty_platform.errors import UsageError
from marty_platform.repo import SKIPPED_DIRS


@dataclass
class Changes:
    written: list[str]  # repo-relative paths created or rewritten
    removed: list[str]  # repo-relative paths deleted


@contextmanager
def staged(root: Path, cache_dir: Path) -> Iterator[Path]:
    """A private copy of the repo at `root`, under `cache_dir`, removed on exit."""
    parent = cache_dir / "generate"
    parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=parent))
    try:
        copy = scratch / "repo"
        shutil.copytree(root, copy, symlinks=True,
                        ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
        yield copy
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _files(root: Path) -> dict[str, Path]:
    """Regular files under root (symlinks are neither generated nor followed)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        for name in filenames:
            if name in SKIPPED_DIRS:  # a worktree's `.git` is a file; the copy leaves it out
                continue
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path
    return found


def changes(original: Path, copy: Path) -> Changes:
    before, after = _files(original), _files(copy)
    written = sorted(rel for rel, path in after.items()
                     if rel not in before or before[rel].read_bytes() != path.read_bytes())
    removed = sorted(rel for rel in before if rel not in after)
    return Changes(written, removed)


def _target(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that would land outside the repo (a `..` or a symlinked
    directory on the way)."""
    target = root / rel
    if ".." in Path(rel).parts or not target.parent.resolve().is_relative_to(root.resolve()):
        raise UsageError(f"refusing to write {rel}: it resolves outside the repository")
    return target


def apply(root: Path, copy: Path, todo: Changes) -> None:
    """Make root's files match the copy's for the changed paths, all or nothing."""
    undo: list[tuple[Path, bytes | None]] = []
    created_dirs: list[Path] = []
    try:
        for rel in todo.written:
            target = _target(root, rel)
            previous = target.read_bytes() if target.is_file() else None
            for directory in reversed([target.parent, *target.parent.parents]):
                if not directory.exists():
                    directory.mkdir()
                    created_dirs.append(directory)
            undo.append((target, previous))
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            shutil.copyfile(copy / rel, partial)
            os.replace(partial, target)
        for rel in todo.removed:
            target = _target(root, rel)
            undo.append((target, target.read_bytes()))
            target.unlink()
            _prune_empty(target.parent, root, copy / rel)
    except OSError as exc:
        for target, previous in reversed(undo):
            with contextlib.suppress(OSError):  # neither may exist, nor its directory
                target.with_name(f".{target.name}.{os.getpid()}.partial").unlink()
            if previous is None:
                with contextlib.suppress(OSError):
                    target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(previous)
        for directory in reversed(created_dirs):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        raise UsageError(f"cannot write generated files ({exc.strerror}: {exc.filename}); "
                         "the repo is left as it was") from None


def _prune_empty(directory: Path, root: Path, staged_path: Path) -> None:
    """Remove directories a deletion left empty, as the generator did in the copy."""
    staged_dir = staged_path.parent
    while directory != root and not staged_dir.exists() and directory.is_dir() \
            and not any(directory.iterdir()):
        directory.rmdir()
        directory, staged_dir = directory.parent, staged_dir.parent
