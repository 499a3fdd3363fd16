"""`scripts/generate` in a git worktree, where `.git` is a file, leaves that file alone."""
from __future__ import annotations

from pathlib import Path


def test_generate_keeps_a_worktree_git_file(run_cli, repo_copy: Path):
    git_file = repo_copy / ".git"
    git_file.write_text("gitdir: /elsewhere/.git/worktrees/copy\n", encoding="utf-8")
    checks_doc = repo_copy / "docs" / "checks.md"
    checks_doc.write_text("stale\n", encoding="utf-8")  # something to regenerate
    outcome = run_cli("generate", cwd=repo_copy)
    assert outcome.code == 0, outcome.stderr
    assert git_file.read_text(encoding="utf-8") == "gitdir: /elsewhere/.git/worktrees/copy\n"
    assert checks_doc.read_text(encoding="utf-8").startswith("# Check reference")
