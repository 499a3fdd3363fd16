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
    shutil.copy(ROOT / "config" / "gitleaks.toml", target / "config" / "gitleaks.toml")
    _checkov_config(target)
    return target


def _checkov_config(target: Path) -> None:
    """The repo's config/checkov.yaml for the stand-in policies: a check covered by a rule they
    declare stays covered; one whose rule only the repo's policies declare is accepted instead
    (a covered-by-policy entry naming no rule of the tree is an error, and checkov runs it)."""
    import yaml

    from marty_platform.policy_library import PolicyLibrary

    config = yaml.safe_load((ROOT / "config" / "checkov.yaml").read_text(encoding="utf-8"))
    rules = PolicyLibrary.load(target / "policies").rules
    covered = config.get("covered-by-policy") or {}
    accepted = config.setdefault("accepted", {}) or {}
    for check, rule in list(covered.items()):
        if rule not in rules:
            del covered[check]
            accepted[check] = {"reason": f"the stand-in policies of the ops tests keep no {rule}",
                               "owner": "tests", "expires": "2999-12-31"}
    config["accepted"] = accepted
    (target / "config" / "checkov.yaml").write_text(yaml.safe_dump(config, sort_keys=False),
                                                    encoding="utf-8")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout
