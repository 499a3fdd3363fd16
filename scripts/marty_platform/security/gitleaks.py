"""gitleaks, run the one way every caller needs: with the repo's config, redacted, and with no
input able to silence it.

- `--config config/gitleaks.toml`: a `.gitleaks.toml` in the scanned tree is never read.
- `--ignore-gitleaks-allow`: a `gitleaks:allow` comment does not hide a secret.
- `--gitleaks-ignore-path` names an empty file of this run: a `.gitleaksignore` in the tree (a
  list of fingerprints to skip) is never read.
- The config is the repo's, so a pull request can edit it: it may add rules (ids starting with
  `marty-`, so none replaces a default rule) and nothing else. A global allowlist, an `[extend]`
  other than `useDefault = true` (which could disable default rules or load another file) or a
  rule named like a default one is one usage error naming the file: a finding is waived in
  policies/exceptions.yaml, reviewed and expiring, not in the scanner's config.
- `--redact`: the report carries no secret; this module drops the Match and Secret fields anyway,
  so no value reaches a finding even if a future gitleaks redacted less.
Exit 3 means "leaks found" (any other non-zero exit is a tool failure).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.rules import ScannerRules
from marty_platform.tools.runner import ToolBox

CONFIG = "config/gitleaks.toml"
RULE_PREFIX = "gitleaks/"
# The rule ids of every check that reports gitleaks's findings (the working tree, the history).
SCANNER_RULES = ScannerRules(RULE_PREFIX, "gitleaks's default rules and the platform's own in "
                             f"`{CONFIG}`")
OWN_RULE_PREFIX = "marty-"
_CONFIG_KEYS = {"title", "description", "extend", "rules"}
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

def config_problem(config: Path) -> str | None:
    """What in a gitleaks config would let it allow, disable or replace a rule; None if it only
    adds rules of its own."""
    if config.is_symlink():
        return "must be a file, not a symlink"
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return f"cannot be read: {exc}"
    unknown = sorted(set(data) - _CONFIG_KEYS)
    if unknown:
        return f"{', '.join(unknown)}: only {', '.join(sorted(_CONFIG_KEYS))} may be set"
    if data.get("extend", {"useDefault": True}) != {"useDefault": True}:
        return "[extend] may only say `useDefault = true`"
    rules = data.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        return "rules must be [[rules]] tables"
    for rule in rules:
        rule_id = rule.get("id")
        if not isinstance(rule_id, str) or not rule_id.startswith(OWN_RULE_PREFIX):
            return (f"rule {rule_id!r}: the repo's own rule ids start with {OWN_RULE_PREFIX!r}, "
                    "so none replaces one of gitleaks's default rules")
    return None


def require_sound_config(config: Path) -> None:
    """Raise UsageError, naming the file, when `config_problem` finds something."""
    problem = config_problem(config)
    if problem:
        shown = CONFIG if config.as_posix().endswith(CONFIG) else str(config)
        raise UsageError(f"{shown}: {problem}; a finding is waived in policies/exceptions.yaml "
                         "(reviewed, expiring), never in the scanner's config")


def _common(config: Path, scratch: Path) -> list[str]:
    require_sound_config(config)
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
