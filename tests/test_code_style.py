"""The Python package, tests and benchmarks pass ruff with the rules in pyproject.toml."""
from __future__ import annotations

import subprocess
import sys

from harness import ROOT


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "scripts", "tests",
                           "bench"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
