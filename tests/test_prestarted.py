"""A tool started before its input is ready (tools/runner.Prestarted) is judged as the command it
stands for: its output, its exit codes, its time limit; and checkov started that way while the
overlays render reports what checkov started afterwards reports."""
from __future__ import annotations

import sys

import pytest

from harness import copy_checkout, pinned_tool, tool_env
from marty_platform import checks
from marty_platform.checks import iac_security
from marty_platform.context import Options
from marty_platform.engine import run_validation
from marty_platform.errors import ToolFailed
from marty_platform.repo import Repo
from marty_platform.tools.runner import Command, Prestarted

# Waits for one line, prints it, exits with the status it names.
ECHO = "import sys; line = sys.stdin.readline(); print(line.strip()); sys.exit(int(line.split()[0]))"


def _command(timeout: int = 30) -> Command:
    return Command(argv=(sys.executable, "-c", ECHO), env={}, problem_codes=(1,),
                   timeout=timeout, subject="the input")


def test_finish_gives_the_output_and_status_of_the_command_it_stands_for():
    completed = Prestarted(_command()).finish(_command(), b"1 found")
    assert completed.found_problems and completed.stdout.strip() == "1 found"


def test_a_status_the_command_does_not_use_is_a_tool_failure():
    with pytest.raises(ToolFailed, match="unexpected exit status"):
        Prestarted(_command()).finish(_command(), b"3 crashed")


def test_its_time_limit_counts_from_the_request():
    slow = Command(argv=(sys.executable, "-c", "import time; input(); time.sleep(30)"), env={},
                   timeout=1)
    with pytest.raises(ToolFailed, match="timed out after 1s"):
        Prestarted(slow).finish(slow, b"go")


def test_an_unused_one_is_stopped():
    waiting = Prestarted(_command())
    waiting.discard()
    assert waiting.process.returncode is not None


def _iac_findings(repo):
    report = run_validation(Repo(repo), Options(paths=(repo / "overlays" / "dev" / "trust-anchor",),
                                                jobs=2))
    return sorted((f.file, f.rule, f.resource, f.message) for f in report.findings
                  if f.check == "iac-security")


def test_checkov_started_while_rendering_reports_what_checkov_started_after_reports(
        tmp_path, monkeypatch):
    pinned_tool("checkov")
    repo = copy_checkout(tmp_path / "repo")
    (repo / "config" / "checkov.yaml").unlink()  # every checkov check runs: findings to compare
    finished = []
    real = Prestarted.finish

    def counted(self, command, request):
        finished.append(command.tool)
        return real(self, command, request)

    monkeypatch.setattr(Prestarted, "finish", counted)
    for name, value in tool_env(tmp_path / "cache-prestarted").items():
        monkeypatch.setenv(name, value)
    prestarted = _iac_findings(repo)
    assert finished == ["checkov"]

    monkeypatch.setattr(checks, "PRESTARTS", [])
    monkeypatch.setenv("MARTY_CACHE_DIR", str(tmp_path / "cache-after"))
    assert _iac_findings(repo) == prestarted
    assert finished == ["checkov"]
    assert iac_security.prestart not in checks.PRESTARTS
    assert prestarted, "checkov reported nothing on the overlay"

