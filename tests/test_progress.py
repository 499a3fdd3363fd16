"""Progress and colour of `scripts/validate`: a live display on stderr only when stderr is a
terminal, colours in text output only on a terminal and without NO_COLOR, and one timing line
per check with --verbose. The terminal is a real pseudo-terminal (pty)."""
from __future__ import annotations

import os
import pty
import re
import select
import subprocess

from harness import ROOT, tool_env

MANIFEST = "tests/fixtures/clean/configmap.yaml"
ANSI = re.compile(r"\x1b\[")
TIMING = re.compile(r"^\s*\d+\.\d\ds  (\S+)(?: (\w+))?  \d+ findings?(?:  \((.*)\))?$",
                    re.MULTILINE)
HIDE_CURSOR = "\x1b[?25l"  # rich's live display hides the cursor while it draws


def _validate_on_tty(cache_dir, *args: str, env: dict | None = None) -> tuple[int, str]:
    """Run validate with stdout and stderr on one pseudo-terminal; return its exit code and
    everything written to the terminal."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([str(ROOT / "scripts" / "validate"), *args], cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                            env={**tool_env(cache_dir), "TERM": "xterm-256color",
                                 "COLUMNS": "120", **(env or {})})
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 600)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed: every writer has exited
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def _validate_piped(cache_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / "validate"), *args], cwd=ROOT,
                          env={**tool_env(cache_dir), "TERM": "xterm-256color"},
                          capture_output=True, text=True, timeout=600, check=False)


def test_progress_and_colour_on_a_terminal(cache_dir):
    code, screen = _validate_on_tty(cache_dir, MANIFEST)
    assert code == 0, screen
    assert HIDE_CURSOR in screen, screen
    assert "\x1b[1;32mOK" in screen or "\x1b[32m\x1b[1mOK" in screen, repr(screen[-400:])


def test_no_colour_with_no_color_set(cache_dir):
    code, screen = _validate_on_tty(cache_dir, MANIFEST, env={"NO_COLOR": "1"})
    assert code == 0, screen
    verdict = screen.rstrip().splitlines()[-1]
    assert verdict.startswith("OK:") and not ANSI.search(verdict), repr(verdict)


def test_nothing_but_the_report_when_piped(cache_dir):
    proc = _validate_piped(cache_dir, MANIFEST)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    assert not ANSI.search(proc.stdout)
    json_proc = _validate_piped(cache_dir, MANIFEST, "--format", "json")
    assert json_proc.stderr == "" and json_proc.stdout.startswith("{")


def test_verbose_prints_one_timing_line_per_check(cache_dir):
    proc = _validate_piped(cache_dir, MANIFEST, "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert not ANSI.search(proc.stderr), proc.stderr
    stages = [match.group(1) for match in TIMING.finditer(proc.stderr)]
    assert sorted(stages) == sorted(["checks", "kubeconform", "policy", "delivery", "size",
                                     "monitoring.check_rendered", "zero_config",
                                     "secrets.check_rendered", "iac_security.check_rendered",
                                     "terraform_alignment.check_rendered"]), proc.stderr


def test_verbose_on_a_terminal_keeps_the_timing_lines(cache_dir):
    code, screen = _validate_on_tty(cache_dir, MANIFEST, "--verbose")
    assert code == 0, screen
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    timed = set(re.findall(r"\d+\.\d\ds  (\S+) prod  \d+ findings?", plain))
    assert timed >= {"kubeconform", "policy"}, plain


def test_verbose_says_what_came_from_the_cache(tmp_path):
    def notes() -> dict[str, str]:
        proc = _validate_piped(tmp_path, MANIFEST, "--verbose")
        assert proc.returncode == 0, proc.stderr
        return {match.group(1): match.group(3) for match in TIMING.finditer(proc.stderr)}

    cold = notes()
    assert cold["kubeconform"] == "objects: 0 cached, 1 checked", cold
    assert cold["checks"] == "cache: 0 hit, 9 ran", cold
    warm = notes()
    assert warm["kubeconform"] == "cached", warm
    assert warm["checks"] == "cache: 9 hit, 0 ran", warm
