"""`scripts/cluster` itself: a start that fails says why and leaves no process behind; a second
`down` finds nothing to stop; usage errors are one line."""
from __future__ import annotations

import json

from harness import pinned_tool
from server_support import cluster_cli, running


def test_crashed_start_says_why_and_leaves_no_process(cache_dir, tmp_path):
    for tool in ("kube-apiserver", "etcd", "kubectl"):
        pinned_tool(tool)
    (tmp_path / "etcd").write_text("not a data directory\n")  # etcd cannot start on a file
    outcome = cluster_cli(cache_dir, "up", "--dir", str(tmp_path))
    assert outcome.returncode == 2, outcome.stderr
    assert "etcd exited during start; last lines of" in outcome.stderr
    assert str(tmp_path / "etcd.log") in outcome.stderr
    assert "Traceback" not in outcome.stderr
    state = json.loads((tmp_path / "cluster.json").read_text())
    pids = [p["pid"] for p in state["processes"]]
    assert len(pids) == 2 and not [pid for pid in pids if running(pid)]
    again = cluster_cli(cache_dir, "down", "--dir", str(tmp_path))
    assert again.returncode == 0
    assert again.stderr.count(": not running") == 2


def test_down_without_a_cluster_is_one_line(cache_dir, tmp_path):
    outcome = cluster_cli(cache_dir, "down", "--dir", str(tmp_path))
    assert outcome.returncode == 2
    assert outcome.stderr.strip() == (f"error: {tmp_path}/cluster.json: not found; no cluster "
                                      f"was started in {tmp_path}")


def test_server_tools_missing_is_one_line_naming_the_target(tmp_path, run_cli):
    empty = tmp_path / "bin"
    empty.mkdir()
    outcome = run_cli("validate", "--server", "tests/fixtures/clean/configmap.yaml",
                      env={"MARTY_TOOLS_BIN": str(empty)})
    assert outcome.code == 2
    assert outcome.stderr.strip() == (f"error: etcd: not installed in {empty}; run "
                                      "`make bootstrap-server`")


def test_kubeconfig_without_server_is_a_usage_error(run_cli, tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    outcome = run_cli("validate", "--kubeconfig", str(config), "tests/fixtures/clean/")
    assert outcome.code == 2
    assert outcome.stderr.strip() == "error: --kubeconfig goes with --server"
