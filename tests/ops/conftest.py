"""Shared set-up for the render/diff/drift/promote tests: small self-made trees, real tools."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import pinned_tool
from ops_support import PYTHON, TOOLS_BIN, git, make_tree

pinned_tool("kustomize", module_level=True)


@pytest.fixture(scope="session")
def ops_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ops-cache")


@pytest.fixture(autouse=True)
def _ops_env(monkeypatch, ops_cache):
    monkeypatch.setenv("MARTY_CACHE_DIR", str(ops_cache))
    monkeypatch.setenv("MARTY_TOOLS_BIN", str(TOOLS_BIN))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Marty Tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@marty.dev")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Marty Tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@marty.dev")


@pytest.fixture
def tree(tmp_path) -> Path:
    return make_tree(tmp_path / "repo")


@pytest.fixture
def git_tree(tree) -> Path:
    git(tree, "init", "--quiet", "--initial-branch=main")
    git(tree, "add", "--all")
    git(tree, "commit", "--quiet", "-m", "initial")
    return tree


class Result:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.code, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@pytest.fixture
def cli(ops_cache):
    """Run an operations command the way scripts/<command> does, in `cwd`."""
    def run(cwd: Path, *args: str, env: dict | None = None) -> Result:
        environment = {**os.environ, "MARTY_CACHE_DIR": str(ops_cache),
                       "MARTY_TOOLS_BIN": str(TOOLS_BIN), **(env or {})}
        proc = subprocess.run([str(PYTHON if PYTHON.exists() else sys.executable), "-m",
                               "marty_platform", *args], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=300, check=False)
        return Result(proc)
    return run
