"""The one place that runs external tools: argv, cwd, env, a timeout, and a bounded pool."""
from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.errors import ToolError

DEFAULT_TIMEOUT = 600


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    timeout: int = DEFAULT_TIMEOUT
    stdin: bytes | None = None

    def quoted(self) -> str:
        return shlex.join(self.argv)


@dataclass(frozen=True)
class Completed:
    command: Command
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode in self.command.ok_codes


class ToolBox:
    """Resolves pinned tools in .tools/bin and runs them with a sealed environment.

    The environment points every tool's home, cache and config at a private directory so a run
    never reads the user's Helm repositories or kube config, and carries no proxy settings.
    """

    def __init__(self, bin_dir: Path, home: Path):
        self.bin_dir = bin_dir
        self.home = home

    def path(self, tool: str) -> str:
        candidate = self.bin_dir / tool
        if not candidate.is_file():
            raise ToolError(f"{tool}: not installed in {self.bin_dir}; run `make bootstrap`")
        return str(candidate)

    def environment(self) -> dict[str, str]:
        home = str(self.home)
        return {
            "PATH": f"{self.bin_dir}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "HELM_CACHE_HOME": f"{home}/helm/cache",
            "HELM_CONFIG_HOME": f"{home}/helm/config",
            "HELM_DATA_HOME": f"{home}/helm/data",
            "KUBECONFIG": os.devnull,
            "TF_CLI_CONFIG_FILE": os.devnull,
            "CHECKPOINT_DISABLE": "1",
            "NO_COLOR": "1",
        }

    def command(self, tool: str, *args: str, cwd: Path | None = None,
                ok_codes: tuple[int, ...] = (0,), stdin: bytes | None = None,
                timeout: int = DEFAULT_TIMEOUT) -> Command:
        return Command(argv=(self.path(tool), *args), cwd=cwd, env=self.environment(),
                       ok_codes=ok_codes, stdin=stdin, timeout=timeout)


def run(command: Command) -> Completed:
    try:
        proc = subprocess.run(
            command.argv, cwd=command.cwd, env=command.env or None, input=command.stdin,
            capture_output=True, timeout=command.timeout, check=False,
        )
    except FileNotFoundError:
        raise ToolError(f"{command.argv[0]}: not found") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"timed out after {command.timeout}s: {command.quoted()}") from None
    return Completed(command, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                     proc.stderr.decode("utf-8", "replace"))
