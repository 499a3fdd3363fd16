"""Locate the pinned conftest binary for the policy tests."""
from __future__ import annotations

from pathlib import Path

from harness import pinned_tool

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
POLICY_DATA = POLICIES / "data"
SHARED = ROOT.parent / "shared"


def conftest_binary() -> str:
    """The pinned conftest (.tools/bin); never another conftest from PATH."""
    return str(pinned_tool("conftest"))
