"""requirements/*.lock, the hashed pins every Python install uses: the committed locks match
pyproject.toml and tools.toml, and a pin changed (or a requirement added) without `make lock` is
reported stale by `scripts/lock --check`, offline, at the line that changed."""
from __future__ import annotations

import re

from harness import ROOT

LOCKS = ("requirements/tooling.lock", "requirements/checkov.lock")


def test_the_committed_locks_match_their_pins(run_cli):
    outcome = run_cli("lock", "--check", "--format", "json")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.json["stats"]["checks"]["python-lock"]["checked"] == len(LOCKS)


def test_every_locked_requirement_is_hashed():
    for lock in LOCKS:
        text = (ROOT / lock).read_text(encoding="utf-8")
        pins = re.findall(r"^[A-Za-z0-9][^\s=]*==\S+", text, re.MULTILINE)
        assert pins, lock
        blocks = re.split(r"^(?=[A-Za-z0-9])", text, flags=re.MULTILINE)[1:]
        assert all("--hash=sha256:" in block for block in blocks), lock


def test_a_pin_bumped_without_refreshing_the_lock_is_stale(run_cli, repo_copy):
    pyproject = repo_copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '"ruff==0.8.4"' in text
    pyproject.write_text(text.replace('"ruff==0.8.4"', '"ruff==0.8.6"'), encoding="utf-8")
    line = next(n for n, row in enumerate(pyproject.read_text().splitlines(), 1)
                if "ruff==0.8.6" in row)
    outcome = run_cli("lock", "--check", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    [stale] = outcome.findings(check="python-lock", rule="stale")
    assert (stale["file"], stale["line"]) == ("pyproject.toml", line)
    assert "0.8.4" in stale["message"] and "make lock" in stale["message"]


def test_a_requirement_added_without_refreshing_the_lock_is_stale(run_cli, repo_copy):
    pyproject = repo_copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('  "pytest==8.3.5",\n',
                                      '  "pytest==8.3.5",\n  "pytest-timeout>=2",\n'),
                         encoding="utf-8")
    outcome = run_cli("lock", "--check", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    [stale] = outcome.findings(check="python-lock", rule="stale")
    assert (stale["file"], stale["line"]) == ("requirements/tooling.lock", 3)


def test_checkov_bumped_in_tools_toml_without_refreshing_its_lock_is_stale(run_cli, repo_copy):
    tools = repo_copy / "tools.toml"
    text = tools.read_text(encoding="utf-8")
    assert 'requirement = "checkov==3.3.30"' in text
    tools.write_text(text.replace('"checkov==3.3.30"', '"checkov==3.3.31"'), encoding="utf-8")
    outcome = run_cli("lock", "--check", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    [stale] = outcome.findings(check="python-lock", rule="stale")
    assert stale["file"] == "tools.toml"
    assert "checkov==3.3.31" in tools.read_text().splitlines()[stale["line"] - 1]


def test_a_missing_lock_is_reported(run_cli, repo_copy):
    (repo_copy / LOCKS[1]).unlink()
    outcome = run_cli("lock", "--check", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    [missing] = outcome.findings(check="python-lock", rule="missing")
    assert missing["file"] == "tools.toml" and LOCKS[1] in missing["message"]
