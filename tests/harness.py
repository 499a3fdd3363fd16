"""Helpers shared by the test modules: paths, the pinned tools, the CLI outcome type and the
sealed environment.

Test modules import from here (`from harness import ...`); fixtures live in conftest.py.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CRD_SCHEMAS = SHARED / "crd-schemas"
TOOLS_BIN = Path(os.environ.get("MARTY_TOOLS_BIN") or ROOT / ".tools" / "bin")
BROKEN = ROOT / "tests" / "fixtures" / "broken"


def pinned_tool(name: str, module_level: bool = False) -> Path:
    """The pinned `name` from .tools/bin (or $MARTY_TOOLS_BIN), the only copy tests may run.

    When it is missing the test is skipped, except in CI (CI=true), where a missing tool fails
    the test: a CI run that skipped its tool tests proves nothing."""
    path = TOOLS_BIN / name
    if path.is_file() and os.access(path, os.X_OK):
        return path
    message = f"{name} is not installed in {TOOLS_BIN}; run `make bootstrap`"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=module_level)


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


def tool_env(cache_dir: Path, crd: bool = False) -> dict[str, str]:
    """The sealed environment of a test run. CRD schemas come from the repo's schemas/crds, as on
    a fresh clone; `crd=True` adds ../shared's catalogue as a further location."""
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


def copy_checkout(target: Path) -> Path:
    """A copy of this checkout's tree at `target`, without caches, tools or the venv."""
    ignore = shutil.ignore_patterns(".git", ".venv", ".tools", ".cache", "__pycache__",
                                    ".pytest_cache", "*.egg-info")
    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    return target
