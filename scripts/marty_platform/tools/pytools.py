"""Installs the PyPI tools of tools.toml (`[pytools.<name>]`) that need a virtualenv of their own,
idempotently: `.tools/venvs/<name>` holds the pinned requirement, `.tools/bin/<name>` links to its
program, so the runner starts it like any pinned tool (sealed environment, no network). A tool
whose virtualenv already has the pinned version installed is skipped."""
from __future__ import annotations

import hashlib
import shutil
import sys
import time
from pathlib import Path

from marty_platform.errors import ToolError, ToolFailed
from marty_platform.security.pylock import lock_for_pytool
from marty_platform.tools.bootstrap import INSTALL_TIMEOUT, InstallOutcome, Progress, smoke_once
from marty_platform.tools.manifest import PyToolPin
from marty_platform.tools.runner import Command, build_environment, run


# In the tool's virtualenv: the digest of the lock it was installed from.
_LOCK_STAMP = ".lock-sha256"


def _has_pinned_version(venv: Path, pin: PyToolPin) -> bool:
    wanted = f"{pin.name}-{pin.version}.dist-info".lower().replace("-", "_")
    return any(p.name.lower().replace("-", "_") == wanted
               for p in venv.glob("lib/python*/site-packages/*.dist-info"))


def _installed(venv: Path, pin: PyToolPin, lock_digest: str) -> bool:
    stamp = venv / _LOCK_STAMP
    return stamp.is_file() and stamp.read_text() == lock_digest and _has_pinned_version(venv, pin)


def install_pytool(pin: PyToolPin, bin_dir: Path, progress: Progress,
                   step: str = "", root: Path = Path(".")) -> InstallOutcome:
    venv = bin_dir.resolve().parent / "venvs" / pin.name  # scripts name it in their shebang
    link = bin_dir / pin.name
    label = f"{step} {pin.name:<12} {pin.version:<10}"
    started = time.monotonic()
    action = "present"
    # Installed from its hashed lock (requirements/<name>.lock, `make lock`), never resolved anew.
    lock = lock_for_pytool(root, pin.name)
    if not lock.is_file():
        raise ToolError(f"{pin.name}: {lock} not found; run `make lock`")
    lock_digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not _installed(venv, pin, lock_digest):
        action = "installed"
        progress(f"{label} installing {pin.requirement} from {lock.name} into {venv} ...")
        shutil.rmtree(venv, ignore_errors=True)
        try:
            run(Command(argv=(sys.executable, "-m", "venv", str(venv)), env=build_environment(),
                        timeout=300))
            # The lock holds every dependency (--no-deps); `pip check` proves it complete.
            pip = (str(venv / "bin" / "python"), "-m", "pip")
            run(Command(argv=(*pip, "install", "--quiet", "--disable-pip-version-check",
                              "--no-deps", "--require-hashes", "-r", str(lock)),
                        env=build_environment(), timeout=INSTALL_TIMEOUT))
            run(Command(argv=(*pip, "check", "--disable-pip-version-check"),
                        env=build_environment(), timeout=300))
        except ToolFailed as exc:
            raise ToolError(f"{pin.name}: installing {lock.name} failed: "
                            f"{exc.detail or exc.reason}") from None
        if not _has_pinned_version(venv, pin):
            raise ToolError(f"{pin.name}: {lock} does not pin {pin.requirement}; run `make lock`")
        (venv / _LOCK_STAMP).write_text(lock_digest)
    program = venv / "bin" / pin.name
    if not (link.is_symlink() and link.readlink() == program):
        link.unlink(missing_ok=True)
        link.symlink_to(program)
    # A reinstall from a changed lock gives the program a new inode and mtime: smoked again.
    smoke_once(pin.name, pin.requirement, link, pin.smoke, timeout=300, what="program")
    seconds = time.monotonic() - started
    progress(f"{label} {action}" + (f" in {seconds:.0f}s" if action == "installed" else ""))
    return InstallOutcome(pin.name, action, seconds)
