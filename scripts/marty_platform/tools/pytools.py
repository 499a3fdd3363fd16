"""Installs the PyPI tools of tools.toml (`[pytools.<name>]`) that need a virtualenv of their own,
idempotently: `.tools/venvs/<name>` holds the pinned requirement, `.tools/bin/<name>` links to its
program, so the runner starts it like any pinned tool (sealed environment, no network). A tool
whose virtualenv already has the pinned version installed is skipped."""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from marty_platform.errors import ToolError, ToolFailed
from marty_platform.tools.bootstrap import (INSTALL_TIMEOUT, InstallOutcome, Progress,
                                            record_smoke, smoke_passed, smoked_key)
from marty_platform.tools.manifest import PyToolPin
from marty_platform.tools.runner import Command, build_environment, run


def _installed(venv: Path, pin: PyToolPin) -> bool:
    wanted = f"{pin.name}-{pin.version}.dist-info".lower().replace("-", "_")
    return any(p.name.lower().replace("-", "_") == wanted
               for p in venv.glob("lib/python*/site-packages/*.dist-info"))


def install_pytool(pin: PyToolPin, bin_dir: Path, progress: Progress,
                   step: str = "") -> InstallOutcome:
    venv = bin_dir.resolve().parent / "venvs" / pin.name  # scripts name it in their shebang
    link = bin_dir / pin.name
    label = f"{step} {pin.name:<12} {pin.version:<10}"
    started = time.monotonic()
    action = "present"
    if not _installed(venv, pin):
        action = "installed"
        progress(f"{label} installing {pin.requirement} into {venv} ...")
        shutil.rmtree(venv, ignore_errors=True)
        try:
            run(Command(argv=(sys.executable, "-m", "venv", str(venv)), env=build_environment(),
                        timeout=300))
            run(Command(argv=(str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                              "--disable-pip-version-check", pin.requirement),
                        env=build_environment(), timeout=INSTALL_TIMEOUT))
        except ToolFailed as exc:
            raise ToolError(f"{pin.name}: `pip install {pin.requirement}` failed: "
                            f"{exc.detail or exc.reason}") from None
    program = venv / "bin" / pin.name
    if not (link.is_symlink() and link.readlink() == program):
        link.unlink(missing_ok=True)
        link.symlink_to(program)
    key = smoked_key(pin.requirement, link) if program.is_file() else ""
    if not (key and smoke_passed(pin.name, key, bin_dir)):
        try:
            run(Command(argv=(str(link), *pin.smoke), env=build_environment(), timeout=300,
                        subject=f"`{pin.name} {' '.join(pin.smoke)}`"))
        except ToolError as exc:
            raise ToolError(f"{pin.name}: installed program does not run: {exc}") from None
        record_smoke(pin.name, smoked_key(pin.requirement, link), bin_dir)
    seconds = time.monotonic() - started
    progress(f"{label} {action}" + (f" in {seconds:.0f}s" if action == "installed" else ""))
    return InstallOutcome(pin.name, action, seconds)
