"""The scanners pinned in pyproject.toml run from the tooling's own virtualenv, through the one
runner, with the sealed environment and in a network namespace of their own like the Go tools:
bandit as `python -m bandit`, zizmor as the program its wheel installs next to the interpreter."""
from __future__ import annotations

import sys
from pathlib import Path

from marty_platform.tools.runner import Command, ToolBox


def python_module(toolbox: ToolBox, module: str, *args: str, cwd: Path,
                  problem_codes: tuple[int, ...], subject: str) -> Command:
    return toolbox.sealed_command((sys.executable, "-m", module, *args), cwd=cwd,
                                  problem_codes=problem_codes, subject=subject)


def program(toolbox: ToolBox, name: str, *args: str, cwd: Path,
            problem_codes: tuple[int, ...], subject: str) -> Command:
    return toolbox.sealed_command((str(Path(sys.executable).parent / name), *args), cwd=cwd,
                                  problem_codes=problem_codes, subject=subject)
