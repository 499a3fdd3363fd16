"""Git access for diffs: resolving refs, listing changed files, and throw-away worktrees.

Another ref is always rendered in a temporary `git worktree` (detached, removed afterwards), never
by touching the user's checkout. Git runs through the same runner as every other tool.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from marty_platform.errors import ToolError, UsageError
from marty_platform.tools.runner import Command, git_environment, run


def git(cwd: Path, *args: str, check: bool = True) -> str:
    git_binary = shutil.which("git")
    if not git_binary:
        raise ToolError("git: not found on PATH")
    # Any exit is an answer here: the caller decides (check) whether non-zero is an error.
    completed = run(Command(argv=(git_binary, *args), env=git_environment(), cwd=cwd,
                            ok_codes=(0,), problem_codes=tuple(range(1, 256)), timeout=300))
    if check and not completed.ok:
        message = completed.stderr.strip().splitlines()
        raise UsageError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return completed.stdout


def toplevel(path: Path) -> Path:
    return Path(git(path, "rev-parse", "--show-toplevel").strip())


def resolve(root: Path, ref: str) -> str:
    completed = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if not completed.strip():
        raise UsageError(f"unknown git ref {ref!r}")
    return completed.strip()


def changed_files(root: Path, base: str, head: str | None) -> list[str]:
    """Paths (relative to the git top level) that differ between base and head.

    Without head, the working tree is compared, including untracked files."""
    if head:
        out = git(root, "diff", "--name-only", "--no-renames", f"{base}..{head}")
    else:
        out = git(root, "diff", "--name-only", "--no-renames", base)
        out += git(root, "ls-files", "--others", "--exclude-standard")
    return sorted({line for line in out.splitlines() if line.strip()})


@contextlib.contextmanager
def worktree(root: Path, commit: str):
    """A detached worktree of `commit` in a temporary directory, removed on exit."""
    parent = Path(tempfile.mkdtemp(prefix="marty-ref-"))
    path = parent / "tree"
    git(root, "worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path
    finally:
        git(root, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(parent, ignore_errors=True)
        git(root, "worktree", "prune", check=False)
