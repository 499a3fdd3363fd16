"""Shared harness: run the real `scripts/validate` (and friends) against the real tools.

Every test points the render and schema caches at one per-session temporary directory, so the
suite never touches the user's .cache/, and sets a dead proxy so that anything trying the network
fails loudly instead of passing by luck.
"""
from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from harness import ROOT, SHARED, Outcome, copy_checkout, tool_env


def pytest_collection_modifyitems(config, items):
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason="../shared is absent (corpus and CRD schemas)")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """In-process code must not open network connections."""
    def guard(*args, **kwargs):
        raise RuntimeError("network access attempted in a test")
    monkeypatch.setattr(socket.socket, "connect", guard)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("marty-cache")


def _runner(cache_dir: Path):
    def run(command: str, *args: str, cwd: Path = ROOT, env: dict | None = None) -> Outcome:
        proc = subprocess.run([str(ROOT / "scripts" / command), *args], cwd=cwd,
                              env={**tool_env(cache_dir), **(env or {})},
                              capture_output=True, text=True, timeout=900, check=False)
        return Outcome(proc.returncode, proc.stdout, proc.stderr)
    return run


@pytest.fixture
def run_cli(cache_dir):
    """Run a scripts/ executable of this checkout, in `cwd` (default: the repo root)."""
    return _runner(cache_dir)


@pytest.fixture(scope="session")
def repo_validation(cache_dir) -> Outcome:
    """One whole-repo `scripts/validate --format json`, shared by the tests that read it."""
    return _runner(cache_dir)("validate", "--format", "json")


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A copy of the committed-looking tree (no caches, tools or venv) to break on purpose."""
    return copy_checkout(tmp_path / "repo")
