"""`--commit`: a release or promotion as one commit on a new branch that starts from the base branch.

The work happens in a temporary worktree of the base branch, never in the user's checkout: the
branch they are on, their index and their uncommitted files stay as they were, whatever happens.
The new branch exists only once its commit does; on any failure (validation, git, a signal) the
worktree is removed and no branch is left. Git's identity is checked before anything starts.
Nothing is pushed.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from marty_platform.diffing import gitref, report_markdown
from marty_platform.errors import UsageError
from marty_platform.overlay_change import Change, check, share_tooling, stop_cleanly, write
from marty_platform.repo import Repo
from marty_platform.tools.runner import Command, git_environment, run


def _git(root: Path, *args: str):
    """git's outcome, for the calls whose failure is an answer rather than an error."""
    # 1 and 128 are git's "no" (no identity, no upstream, not a valid name): an answer.
    return run(Command(argv=(shutil.which("git") or "git", *args), env=git_environment(),
                       cwd=root, timeout=300, problem_codes=(1, 128)))


def check_identity(root: Path) -> None:
    for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        out = _git(root, "var", ident)
        if not out.ok:
            reason = (out.stderr.strip().splitlines() or ["no identity"])[-1]
            raise UsageError(f"--commit: git has no identity to commit with ({reason}); set "
                             "user.name and user.email with `git config`. Nothing was changed")


def default_base(root: Path) -> str:
    """The current branch's upstream, else `main`."""
    upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    return upstream.stdout.strip() if upstream.ok and upstream.stdout.strip() else "main"


def _taken(root: Path, name: str) -> bool:
    refs = gitref.git(root, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes",
                      check=False).split()
    return any(ref == f"refs/heads/{name}" or ref.startswith("refs/remotes/") and
               ref.split("/", 3)[-1] == name for ref in refs)


def free_name(root: Path, wanted: str) -> str:
    name, counter = wanted, 1
    while _taken(root, name):
        counter += 1
        name = f"{wanted}-{counter}"
    check = _git(root, "check-ref-format", "--branch", name)
    if not check.ok:
        raise UsageError(f"--commit: {name!r} is not a valid branch name")
    return name


@contextlib.contextmanager
def base_worktree(home: Repo, base: str | None):
    """A detached worktree of the base branch, with the home checkout's tools; removed on exit."""
    top = gitref.toplevel(home.root)
    check_identity(top)
    base = base or default_base(top)
    commit = gitref.resolve(top, base)
    with stop_cleanly(), gitref.worktree(top, commit) as tree:
        share_tooling(home.root, tree)
        yield Repo(tree / home.root.relative_to(top))


def _commit(tree: Repo, wanted_branch: str, files: list[Path], message: str) -> str:
    """Commit `files` in the worktree and name the commit with a free branch name."""
    top = gitref.toplevel(tree.root)
    rel = [str(f.relative_to(top)) for f in files]
    gitref.git(top, "add", "--", *rel)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as msg:
        msg.write(message)
    try:
        gitref.git(top, "commit", "--quiet", "--no-verify", "-F", msg.name, "--", *rel)
    finally:
        Path(msg.name).unlink(missing_ok=True)
    branch = free_name(top, wanted_branch)
    gitref.git(top, "branch", branch, "HEAD")
    return branch


def carry_out(home: Repo, plan: Callable[[Repo], Change], *, dry_run: bool, commit: bool,
              base: str | None, branch: Callable[[Change], str]) -> Change:
    """Plan the change, check it on a scratch copy and, unless refused, failed or a dry run,
    apply it: to the checkout, or with `commit` as one commit on a new branch from `base`."""
    if not commit:
        return _apply(home, plan, dry_run)
    with base_worktree(home, base) as tree:
        change = _apply(tree, plan, dry_run=False)
        if change.edits and not change.failures:
            body = report_markdown.render(change.report) if change.report else ""
            change.branch = _commit(tree, branch(change), [e.path for e in change.edits],
                                    f"{change.title}\n\n{body}")
    return change


def _apply(repo: Repo, plan: Callable[[Repo], Change], dry_run: bool) -> Change:
    with stop_cleanly():
        change = plan(repo)
        if change.refused or not change.edits:
            return change
        check(repo, change)
        if not change.failures and not dry_run:
            write(change.edits)
    return change
