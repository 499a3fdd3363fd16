"""One real API server per pytest worker (etcd + kube-apiserver on loopback, started by
`scripts/cluster up` with every env's CRDs and namespaces), stopped by `scripts/cluster down` in
the session's finaliser; the finaliser then checks, by the PIDs the cluster recorded, that no
server process is left behind."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness import pinned_tool
from server_support import ENVS, ApiServer, cluster_cli, running


@pytest.fixture(scope="session")
def api_server(tmp_path_factory, cache_dir, request) -> ApiServer:
    for tool in ("kube-apiserver", "etcd", "kubectl"):
        pinned_tool(tool)
    directory = tmp_path_factory.mktemp("api-server")
    env_args = [arg for env in ENVS for arg in ("--env", env)]

    def teardown() -> None:
        if not (directory / "cluster.json").exists():
            return
        pids = ApiServer(directory, directory, cache_dir).recorded_pids()
        down = cluster_cli(cache_dir, "down", "--dir", str(directory))
        left = [pid for pid in pids if running(pid)]
        for pid in left:  # never leave a server behind, even when `down` failed
            os.kill(pid, 9)
        assert down.returncode == 0, down.stderr
        assert not left, f"server processes left after `scripts/cluster down`: {left}"

    request.addfinalizer(teardown)
    up = cluster_cli(cache_dir, "up", "--dir", str(directory), *env_args)
    assert up.returncode == 0, up.stderr
    kubeconfig = Path(up.stdout.strip().splitlines()[-1])
    assert kubeconfig == directory.resolve() / "kubeconfig"
    return ApiServer(directory, kubeconfig, cache_dir)
