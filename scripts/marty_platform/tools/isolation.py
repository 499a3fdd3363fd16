"""Runs a tool with no network: in a network namespace of its own, which has no interface up.

The kustomize graph refuses every remote reference before anything runs; this is the second line,
so that a reference the graph does not understand still cannot reach the network. It needs no
extra package: a launcher run by the repo's own Python calls unshare(2) and then executes the
tool. As root (CI) it unshares the network namespace directly; otherwise it tries an
unprivileged user namespace. Where the kernel allows neither, renders run without it and the run
says so once on stderr: the graph check still holds, but not twice.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import replace

from marty_platform.tools.runner import Command

_UNAVAILABLE = 97
_LAUNCHER = f"""
import ctypes, os, sys
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(CLONE_NEWNET) != 0:
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        sys.stderr.write("unshare: " + os.strerror(ctypes.get_errno()) + "\\n")
        sys.exit({_UNAVAILABLE})
    for name, text in (("setgroups", "deny"), ("uid_map", f"{{uid}} {{uid}} 1"),
                       ("gid_map", f"{{gid}} {{gid}} 1")):
        with open(f"/proc/self/{{name}}", "w") as handle:
            handle.write(text)
os.execv(sys.argv[1], sys.argv[1:])
"""

_lock = threading.Lock()
_available: bool | None = None


def _launcher() -> tuple[str, ...]:
    return (sys.executable, "-I", "-S", "-c", _LAUNCHER)


def available() -> bool:
    """Whether this machine can give a tool its own network namespace (probed once per run)."""
    global _available
    with _lock:
        if _available is None:
            try:
                probe = subprocess.run([*_launcher(), "/bin/sh", "-c", "exit 0"],
                                       capture_output=True, text=True, timeout=30, check=False)
                _available = probe.returncode == 0
                reason = probe.stderr.strip()
            except (OSError, subprocess.TimeoutExpired) as exc:
                _available, reason = False, str(exc)
            if not _available:
                sys.stderr.write(f"note: renders run without network isolation ({reason}); "
                                 "remote references are still refused before kustomize runs\n")
        return _available


def without_network(command: Command) -> Command:
    """`command`, run in a fresh network namespace where this machine allows it."""
    if not available():
        return command
    return replace(command, argv=(*_launcher(), *command.argv))
