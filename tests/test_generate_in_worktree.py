"""`scripts/generate` in a git worktree (or a submodule), where `.git` is a file naming the real
git directory: the all-or-nothing copy leaves `.git` out, and applying the copy must not take that
absence for a deleted file."""
from __future__ import annotations


def test_generate_keeps_the_git_file_of_a_worktree(run_cli, repo_copy):
    git_file = repo_copy / ".git"
    git_file.write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    (repo_copy / "docs" / "configuration.md").write_text("stale\n")

    outcome = run_cli("generate", cwd=repo_copy)

    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert "wrote: docs/configuration.md" in outcome.stdout
    assert git_file.read_text() == "gitdir: /elsewhere/.git/worktrees/repo\n"
