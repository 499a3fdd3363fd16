"""Locate the pinned conftest binary for the policy tests."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
POLICY_DATA = POLICIES / "data"
SHARED = ROOT.parent / "shared"


def conftest_binary() -> str:
    """$CONFTEST, else <repo>/.tools/bin/conftest, else conftest on PATH; skip if none."""
    env = os.environ.get("CONFTEST")
    if env:
        return env
    pinned = ROOT / ".tools" / "bin" / "conftest"
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return str(pinned)
    found = shutil.which("conftest")
    if found:
        return found
    pytest.skip("conftest not found: run `make bootstrap` or set CONFTEST")
