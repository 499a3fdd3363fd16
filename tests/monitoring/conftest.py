"""Fixtures for the monitoring tests: the repository root, the pinned tools and scratch copies.

Tool binaries come from $PROMTOOL, $AMTOOL and $SLOTH, defaulting to <repo>/.tools/bin/<tool>
(`make bootstrap` installs them). A test that needs a missing tool is skipped, naming it.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))


def _tool(name: str) -> Path:
    path = Path(os.environ.get(name.upper()) or REPO / ".tools" / "bin" / name)
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(f"{name} not found at {path} (run `make bootstrap` or set ${name.upper()})")
    return path


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def promtool() -> Path:
    return _tool("promtool")


@pytest.fixture(scope="session")
def amtool() -> Path:
    return _tool("amtool")


@pytest.fixture(scope="session")
def sloth() -> Path:
    return _tool("sloth")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A throw-away repository root holding copies of monitoring/, docs/runbooks/ and catalog/."""
    for part in ("monitoring", "docs/runbooks", "catalog", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    return tmp_path
