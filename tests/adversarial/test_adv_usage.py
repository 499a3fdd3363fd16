"""Command lines that cannot mean a clean run: one line on stderr, exit 2, never a silent pass."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness import ROOT, tool_env

POD = "tests/fixtures/broken/manifests/policy-deny.yaml"


def usage_error(outcome, *expected: str) -> None:
    assert outcome.code == 2, (outcome.code, outcome.stdout[-1000:], outcome.stderr)
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert all(text in lines[0] for text in expected), lines[0]
    assert outcome.stdout == ""


@pytest.mark.parametrize("args,expected", [
    pytest.param(["--env", "nope", POD], ["unknown env 'nope'"], id="unknown-env-manifest"),
    pytest.param(["--env", "nope", "overlays/dev/trust-anchor"], ["unknown env 'nope'"],
                 id="unknown-env-overlay"),
    pytest.param(["--jobs", "-3", POD], ["--jobs", "-3"], id="negative-jobs"),
    pytest.param(["--today", "notadate", POD], ["--today", "notadate"], id="today-not-a-date"),
    pytest.param(["--today", "2025-02-30", POD], ["--today", "2025-02-30"],
                 id="today-impossible-date"),
    pytest.param(["--env", "staging", "overlays/dev/trust-anchor"],
                 ["overlays/dev/trust-anchor", "dev"], id="env-excludes-overlay"),
    pytest.param(["--env", "staging", "overlays/dev"], ["overlays/dev", "dev"],
                 id="env-excludes-env-dir"),
    pytest.param(["README.md"], ["nothing to check", "README.md"], id="feeds-no-check"),
])
def test_usage_errors(run_cli, args, expected):
    usage_error(run_cli("validate", *args), *expected)


def test_a_file_without_objects_checked_nothing(run_cli, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing here yet\n", encoding="utf-8")
    usage_error(run_cli("validate", str(empty)), "nothing checked", str(empty))


def test_an_unwritable_cache_is_one_clear_line(run_cli, tmp_path):
    # A regular file where the cache directory should be: not writable for any user, root too.
    blocked = tmp_path / "cache"
    blocked.write_text("not a directory\n", encoding="utf-8")
    outcome = run_cli("validate", POD, env={"MARTY_CACHE_DIR": str(blocked / "inner")})
    usage_error(outcome, "cache directory", str(blocked / "inner"), "not writable")


@pytest.mark.parametrize("area", ["render", "results", "run"])
def test_a_cache_area_another_user_owns_is_one_clear_line(run_cli, tmp_path, area):
    """One run as another user (sudo, a container) leaves the cache's directories owned by it;
    a file in a directory's place stands for that here, as no user can write into it."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / area).write_text("owned by someone else\n", encoding="utf-8")
    outcome = run_cli("validate", POD, env={"MARTY_CACHE_DIR": str(cache)})
    usage_error(outcome, "cache directory", str(cache / area), "this user can write")


def _run_dirs(cache: Path) -> list[Path]:
    return sorted((cache / "run").glob("*")) if (cache / "run").is_dir() else []


def test_a_killed_runs_scratch_space_is_removed_by_the_next_run(run_cli, tmp_path):
    cache = tmp_path / "cache"
    probe = subprocess.Popen(["true"])  # its pid names a process that has exited
    probe.wait()
    stale = cache / "run" / f"{probe.pid}-leftover"
    (stale / "objects-prod").mkdir(parents=True)
    alive = cache / "run" / f"{os.getpid()}-alive"  # this test process: still running
    alive.mkdir()
    outcome = run_cli("validate", POD, env={"MARTY_CACHE_DIR": str(cache)})
    assert outcome.code == 1, outcome.stderr
    assert _run_dirs(cache) == [alive]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_run_removes_its_scratch_space(tmp_path, signum):
    cache = tmp_path / "cache"
    proc = subprocess.Popen([str(ROOT / "scripts" / "validate"), "overlays/dev/"], cwd=ROOT,
                            env={**tool_env(cache), "MARTY_CACHE_DIR": str(cache)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not _run_dirs(cache) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _run_dirs(cache), "the run never created its scratch space"
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "Traceback" not in stderr, stderr
    assert _run_dirs(cache) == []
