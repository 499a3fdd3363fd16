"""The files of the working tree a scanner reads: every regular file, whatever .validateignore
says (an ignore file never hides a security finding), except tool output and caches. Symlinks
are not followed: one inside the repo leads to a file scanned in its own right, one leading out
is a `yaml/symlink-outside-repo` finding of the files check."""
from __future__ import annotations

import os
from pathlib import Path

from marty_platform.repo import SKIPPED_DIRS, Repo


def tree_files(repo: Repo, paths: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Repo-relative name → path of every scanned file under `paths` (the whole repo if none)."""
    found: dict[str, Path] = {}
    for start in paths or (repo.root,):
        start = Path(os.path.abspath(start))
        if not repo.is_inside(start) or start.is_symlink():
            continue
        if start.is_file():
            found[repo.rel(start)] = start
            continue
        for dirpath, dirnames, filenames in os.walk(start, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS
                                 and not (here / d).is_symlink())
            for name in sorted(filenames):
                path = here / name
                if name == ".git" or path.is_symlink() or not path.is_file():
                    continue  # .git is a file in a git worktree: where its git directory is
                found[path.relative_to(repo.root).as_posix()] = path
    return found
