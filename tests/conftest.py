"""Shared harness: run the real `scripts/validate` (and friends) against the real tools.

Every test points the render and schema caches at one per-session temporary directory, so the
suite never touches the user's .cache/, and sets a dead proxy so that anything trying the network
fails loudly instead of passing by luck.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CRD_SCHEMAS = SHARED / "crd-schemas"
TOOLS_BIN = Path(os.environ.get("MARTY_TOOLS_BIN") or ROOT / ".tools" / "bin")
BROKEN = ROOT / "tests" / "fixtures" / "broken"


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


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)

    def findings(self, **match) -> list[dict]:
        return [f for f in self.json["findings"]
                if all(f.get(k) == v for k, v in match.items())]


def tool_env(cache_dir: Path, crd: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARTY_", "GITHUB_"))}
    env.update({
        "MARTY_CACHE_DIR": str(cache_dir),
        "MARTY_TOOLS_BIN": str(TOOLS_BIN),
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    })
    if crd and CRD_SCHEMAS.is_dir():
        env["MARTY_CRD_SCHEMA_LOCATION"] = str(CRD_SCHEMAS)
    return env


@pytest.fixture
def run_cli(cache_dir):
    """Run a scripts/ executable of this checkout, in `cwd` (default: the repo root)."""
    def run(command: str, *args: str, cwd: Path = ROOT, env: dict | None = None) -> Outcome:
        proc = subprocess.run([str(ROOT / "scripts" / command), *args], cwd=cwd,
                              env={**tool_env(cache_dir), **(env or {})},
                              capture_output=True, text=True, timeout=900, check=False)
        return Outcome(proc.returncode, proc.stdout, proc.stderr)
    return run


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A copy of the committed-looking tree (no caches, tools or venv) to break on purpose."""
    target = tmp_path / "repo"
    ignore = shutil.ignore_patterns(".git", ".venv", ".tools", ".cache", "__pycache__",
                                    ".pytest_cache", "*.egg-info")
    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    return target
