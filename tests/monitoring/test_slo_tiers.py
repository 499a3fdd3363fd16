"""The promtool tests pin every burn-rate tier of the generated SLO alerts.

A tier is pinned when changing its factor in the generated rules makes a promtool test fail.
Each test here copies the tier tests and the generated rules they load, changes one factor
(14.4 to 1440, 6 to 600, ...) in the copy, and runs the real `promtool test rules` on it: the
test of that tier, and only a test, must fail.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

TIER_TESTS = Path("monitoring/tests/slo-burn-rate-tiers.yaml")
RULES = Path("monitoring/rules/generated/slo-trust-anchor.yaml")

# factor as Sloth writes it `(<factor> * <budget>)`, the mutated factor, the tier's test name
TIERS = [
    ("14.4", "1440", "page 14.4x over 1h and 5m only"),
    ("6", "600", "page 6x over 6h and 30m only"),
    ("3", "300", "ticket 3x over 1d and 2h only"),
    ("1", "100", "ticket 1x over 3d and 6h only"),
]


def _copy(repo: Path, target: Path) -> Path:
    for path in (TIER_TESTS, RULES):
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / path, target / path)
    return target / TIER_TESTS


def _promtool_test(promtool: Path, tests: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(promtool), "test", "rules", tests.name], cwd=tests.parent,
                          capture_output=True, text=True, timeout=600, check=False)


def _failed_tests(output: str) -> set[str]:
    """Names of the tests promtool reports as failed (`FAILED:` is followed by their errors)."""
    return {name for _, _, name in TIERS if re.search(rf"name: {re.escape(name)}", output)}


def test_tier_tests_pass_on_the_generated_rules(repo, promtool, tmp_path):
    proc = _promtool_test(promtool, _copy(repo, tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("factor", "mutated", "tier"), TIERS, ids=[t[2].split(":")[0]
                                                                   for t in TIERS])
def test_changing_a_tier_factor_fails_that_tier_test(repo, promtool, tmp_path, factor, mutated,
                                                      tier):
    tests = _copy(repo, tmp_path)
    rules = tmp_path / RULES
    text = rules.read_text()
    pattern = re.compile(rf"\({re.escape(factor)} \* ")
    assert pattern.search(text), f"factor {factor} not found in {RULES}"
    rules.write_text(pattern.sub(f"({mutated} * ", text))

    proc = _promtool_test(promtool, tests)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"factor {factor} -> {mutated} went unnoticed:\n{output}"
    assert _failed_tests(output) == {tier}, output
