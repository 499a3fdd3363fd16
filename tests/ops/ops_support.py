"""Helpers for the render/diff/drift/promote tests (fixtures are in conftest.py)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from harness import TOOLS_BIN  # noqa: F401  (re-exported: one definition of where tools are)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PYTHON = ROOT / ".venv" / "bin" / "python"



def make_tree(target: Path) -> Path:
    """tools.toml, pyproject.toml and schemas of this repo, the small `web` app tree and a stand-in policy."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tools.toml", target / "tools.toml")
    # Without requirements/: `scan --online` and `lock --check` report the locks missing.
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    shutil.copytree(ROOT / "schemas", target / "schemas",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(FIXTURES / "tree", target, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "policies", target / "policies")
    shutil.copy(ROOT / "policies" / "licences.yaml", target / "policies" / "licences.yaml")
    (target / "config").mkdir(exist_ok=True)
    shutil.copy(ROOT / "config" / "drift-ignore.yaml", target / "config" / "drift-ignore.yaml")
    for scanner_config in ("gitleaks.toml", "checkov.yaml"):
        shutil.copy(ROOT / "config" / scanner_config, target / "config" / scanner_config)
    return target


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout
