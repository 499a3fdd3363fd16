"""gitleaks, run the one way every caller needs: with the repo's config, redacted, and with no
input able to silence it.

- `--config config/gitleaks.toml`: a `.gitleaks.toml` in the scanned tree is never read.
- `--ignore-gitleaks-allow`: a `gitleaks:allow` comment does not hide a secret.
- `--gitleaks-ignore-path` names an empty file of this run: a `.gitleaksignore` in the tree (a
  list of fingerprints to skip) is never read.
- `--redact`: the report carries no secret; this module drops the Match and Secret fields anyway,
  so no value reaches a finding even if a future gitleaks redacted less.
Exit 3 means "leaks found" (any other non-zero exit is a tool failure).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marty_platform.rules import ScannerRules
from marty_platform.tools.runner import ToolBox

CONFIG = "config/gitleaks.toml"
RULE_PREFIX = "gitleaks/"
# The rule ids of every check that reports gitleaks's findings (the working tree, the history).
SCANNER_RULES = ScannerRules(RULE_PREFIX, "gitleaks's default rules and the platform's own in "
                             f"`{CONFIG}`")
_LEAKS_FOUND = 3


@dataclass(frozen=True)
class Leak:
    rule: str  # gitleaks's RuleID
    file: str  # as gitleaks names it: relative to the scanned directory
    line: int
    description: str
    commit: str = ""  # history scans only


def config_file(repo_root: Path, scratch: Path) -> Path:
    """The repo's gitleaks config; without one, gitleaks's defaults, named explicitly (written
    in `scratch`) so that gitleaks never looks for a `.gitleaks.toml` among the scanned files."""
    config = repo_root / CONFIG
    if config.is_file():
        return config
    default = scratch / "gitleaks.toml"
    default.write_text("[extend]\nuseDefault = true\n", encoding="utf-8")
    return default


def _common(config: Path, scratch: Path) -> list[str]:
    no_ignores = scratch / "gitleaksignore"
    no_ignores.write_text("", encoding="utf-8")
    return ["--config", str(config), "--redact", "--ignore-gitleaks-allow",
            "--gitleaks-ignore-path", str(no_ignores), "--no-banner", "--no-color",
            "--log-level", "error", "--report-format", "json", "--report-path", "-",
            "--exit-code", str(_LEAKS_FOUND)]


def _leaks(completed) -> list[Leak]:
    items = completed.json()
    if not isinstance(items, list):
        raise completed.failed("printed a report that is not a list")
    leaks = [Leak(rule=str(item.get("RuleID") or "unknown"), file=str(item.get("File") or ""),
                  line=int(item.get("StartLine") or 0) or 1,
                  description=str(item.get("Description") or "secret"),
                  commit=str(item.get("Commit") or "")[:12])
             for item in items if isinstance(item, dict)]
    return list(completed.reported(leaks, "leak"))


def scan_directory(toolbox: ToolBox, directory: Path, config: Path, scratch: Path,
                   subject: str) -> list[Leak]:
    """Every leak in the files under `directory` (symlinks are not followed)."""
    completed = toolbox.run("gitleaks", "dir", *_common(config, scratch), ".",
                            cwd=directory, problem_codes=(_LEAKS_FOUND,), subject=subject)
    return _leaks(completed)


def scan_history(toolbox: ToolBox, repo_root: Path, config: Path, scratch: Path) -> list[Leak]:
    """Every leak in every commit reachable from any ref of the repository at `repo_root`."""
    completed = toolbox.run("gitleaks", "git", *_common(config, scratch), "--log-opts=--all",
                            str(repo_root), cwd=repo_root, problem_codes=(_LEAKS_FOUND,),
                            subject="git history")
    return _leaks(completed)
