"""Fixtures for the monitoring tests: the repository root, the pinned tools and scratch copies.

The tools are the pinned ones (harness.pinned_tool): `promtool`, `amtool` and `sloth` are their
paths, for tests that run them directly; `tools` is the ToolBox the monitoring checks take.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from harness import TOOLS_BIN, pinned_tool
from marty_platform.tools.runner import ToolBox

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def promtool() -> Path:
    return pinned_tool("promtool")


@pytest.fixture(scope="session")
def amtool() -> Path:
    return pinned_tool("amtool")


@pytest.fixture(scope="session")
def sloth() -> Path:
    return pinned_tool("sloth")


@pytest.fixture
def tools(tmp_path_factory) -> ToolBox:
    """The pinned promtool, amtool and sloth, as the monitoring checks run them."""
    for name in ("promtool", "amtool", "sloth"):
        pinned_tool(name)
    return ToolBox(TOOLS_BIN, tmp_path_factory.mktemp("tool-home"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A throw-away repository root holding copies of monitoring/, docs/runbooks/ and catalog/."""
    for part in ("monitoring", "docs/runbooks", "catalog", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    return tmp_path
