"""tools/runner.py is the one place that starts a process, and no process inherits the caller's
environment by accident."""
from __future__ import annotations

import ast
import re
import subprocess

from harness import ROOT
from marty_platform.diffing import gitref

PACKAGE = ROOT / "scripts" / "marty_platform"
RUNNER = PACKAGE / "tools" / "runner.py"
# Every way Python starts a process.
PROCESS_API = re.compile(r"\bsubprocess\b|\bPopen\b|\bos\.(system|popen|exec\w*|spawn\w*|fork\w*|"
                         r"posix_spawn\w*)\b|\bpty\.spawn\b|\bcreate_subprocess_\w+|\bmultiprocessing\b")


def test_no_process_is_started_outside_the_runner():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py")) if path != RUNNER
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PROCESS_API.search(line)
    ]
    assert not offenders, "start processes through tools/runner.py:\n" + "\n".join(offenders)


def test_every_command_names_its_environment():
    """A Command without `env=` would be a process with whatever environment the caller has."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Command" and \
                    path != RUNNER and "env" not in {k.arg for k in node.keywords}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_git_ignores_a_git_dir_in_the_callers_environment(monkeypatch, tmp_path):
    """GIT_DIR in the environment must not make diff or promote read another repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    elsewhere = tmp_path / "elsewhere"
    subprocess.run(["git", "init", "--quiet", str(elsewhere)], check=True)
    monkeypatch.setenv("GIT_DIR", str(elsewhere / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(elsewhere))
    assert gitref.toplevel(repo) == repo.resolve()
