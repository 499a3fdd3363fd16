"""Applying edits to overlays all-or-nothing: checked first, written last, restored on any stop.

Release and promotion produce the same thing, new bytes for a few overlay kustomizations of one
env. Before any file of the repo changes, the edits are applied to a scratch copy of the tree,
which yields the rendered diff and is validated as the repo would be (path mode: the edited
overlays, judged with the rest of their env). Only a change that validates is written, each file
replaced atomically; a failure or a SIGINT/SIGTERM while writing puts every file back byte for byte.
A dry run stops after the check, with the same verdict.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.context import Options
from marty_platform.diffing.compare import diff_promotion
from marty_platform.diffing.model import DiffReport
from marty_platform.model import Finding, Severity
from marty_platform.repo import Overlay, Repo
from marty_platform.settings import Settings, resolve

_COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", ".tools", ".cache", "__pycache__",
                                      ".pytest_cache", "*.egg-info", "node_modules", ".terraform")


@dataclass
class Edit:
    overlay: Overlay
    path: Path
    original: bytes
    updated: bytes
    notes: list[str] = field(default_factory=list)


@dataclass
class Change:
    """What a release or a promotion does to one env, and how it went."""

    env: str
    title: str
    edits: list[Edit] = field(default_factory=list)
    report: DiffReport | None = None
    failures: list[Finding] = field(default_factory=list)
    refused: bool = False  # failures found before anything was rendered
    branch: str = ""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the `finally` blocks restore files and remove scratch trees."""


@contextlib.contextmanager
def stop_cleanly():
    """Turn SIGTERM into an exception for the duration, so cleanup code runs."""
    def raise_terminated(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def share_tooling(home: Path, tree: Path) -> None:
    """Let a throw-away tree use the pinned tools and the caches of `home` (nothing is copied):
    it would otherwise look for them in itself (when MARTY_TOOLS_BIN and MARTY_CACHE_DIR do not
    say elsewhere)."""
    links = {".tools": home / ".tools"}
    if not resolve(Repo(home)).cache_dir_from_environment:
        links[".cache"] = home / ".cache"
        links[".cache"].mkdir(exist_ok=True)
    for name, source in links.items():
        if source.exists() and not (tree / name).exists():
            (tree / name).symlink_to(source.resolve(), target_is_directory=True)


def check(repo: Repo, change: Change) -> None:
    """Render the diff and validate the edits on a scratch copy; the repo is not touched."""
    parent = Path(tempfile.mkdtemp(prefix="marty-change-"))
    try:
        scratch = parent / "tree"
        shutil.copytree(repo.root, scratch, ignore=_COPY_IGNORE, symlinks=True)
        share_tooling(repo.root, scratch)
        for edit in change.edits:
            (scratch / edit.path.relative_to(repo.root)).write_bytes(edit.updated)
        after = Repo(scratch)
        apps = [e.overlay.app for e in change.edits]
        change.report = diff_promotion(repo, change.env, repo, after, apps)
        change.report.title = change.title
        change.failures = _validate(after, change.env, apps, resolve(repo))
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def _validate(tree: Repo, env: str, apps: list[str], settings: Settings) -> list[Finding]:
    """Validate the scratch tree with the tools, caches and schemas of the repo it copies."""
    from marty_platform.engine import run_validation

    paths = tuple(o.path for o in tree.overlays([env]) if o.app in apps)
    report = run_validation(tree, Options(paths=paths, envs=(env,)), settings=settings)
    return [f for f in report.findings if f.severity is Severity.ERROR]


def write(edits: list[Edit]) -> None:
    """Write every edit, or none: on an error or a signal the files written so far are restored."""
    written: list[Edit] = []
    try:
        with stop_cleanly():
            for edit in edits:
                _replace(edit.path, edit.updated)
                written.append(edit)
    except BaseException:
        for edit in written:
            _replace(edit.path, edit.original)
        raise


def _replace(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.marty-tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
