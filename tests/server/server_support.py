"""Helpers of the API-server tests: the server handle, `scripts/cluster`, process liveness."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT, TOOLS_BIN, Outcome, tool_env

ENVS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class ApiServer:
    directory: Path
    kubeconfig: Path
    cache_dir: Path

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """The pinned kubectl against this server (the tests' own hand on the cluster)."""
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.directory),
               "KUBECONFIG": str(self.kubeconfig)}
        return subprocess.run([str(TOOLS_BIN / "kubectl"), *args], env=env, capture_output=True,
                              text=True, timeout=120, check=check)

    def recorded_pids(self) -> list[int]:
        state = json.loads((self.directory / "cluster.json").read_text())
        return [int(p["pid"]) for p in state["processes"]]


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def cluster_cli(cache_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / "cluster"), *args], cwd=ROOT,
                          env=tool_env(cache_dir), capture_output=True, text=True, timeout=600,
                          check=False)


def validate_on_server(api_server, *args: str) -> Outcome:
    """`scripts/validate --server --kubeconfig` against `api_server`, as JSON."""
    proc = subprocess.run([str(ROOT / "scripts" / "validate"), "--server", "--kubeconfig",
                           str(api_server.kubeconfig), "--format", "json", *args], cwd=ROOT,
                          env=tool_env(api_server.cache_dir), capture_output=True, text=True,
                          timeout=900, check=False)
    return Outcome(proc.returncode, proc.stdout, proc.stderr)
