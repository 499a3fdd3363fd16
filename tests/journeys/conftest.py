"""Journeys walk the README's steps with the real commands on a copy of the committed tree.

Fixture trees prove units; these prove the product. Each journey gets its own copy of this
checkout (tracked files as they are in the work tree), made a git repository with one commit on
`main`, so that `scripts/diff --base`, `scripts/promote --commit` and `scripts/release` see the
same history a clone would.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import ROOT, pinned_tool
from journey_support import git

pinned_tool("kustomize", module_level=True)


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\0") if p]


@pytest.fixture
def journey_repo(tmp_path) -> Path:
    """A git repository holding the committed tree, on branch `main`, one commit."""
    target = tmp_path / "marty-platform"
    for rel in _tracked_files():
        source = ROOT / rel
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, dest)
    git(target, "init", "--quiet", "--initial-branch", "main")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "--message", "the committed tree")
    return target
