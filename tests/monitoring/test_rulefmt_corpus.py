"""The shared Prometheus rulefmt corpus (<repo>/../shared): promtool accepts the allowed files
and rejects the disallowed ones with the expected error.

Two corpus entries hold only under the legacy name-validation scheme, which `promtool check
rules` cannot select (it validates UTF-8 names). promtool must accept both; this repository's
own name-scheme check (alert_rules.check_names) rejects the disallowed one.
"""
from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from marty_platform.monitoring import alert_rules
from marty_platform.monitoring.rulefiles import load_rules

from monitoring_support import REPO

SHARED = REPO.parent / "shared" / "corpus"
pytestmark = pytest.mark.shared


def _cases():
    index = SHARED / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t")
                if r["source"] == "prometheus-rulefmt"]
    return [pytest.param(r, id=Path(r["path"]).name) for r in rows]


CASES = _cases()


@pytest.fixture(autouse=True)
def _needs_shared():
    if not CASES:
        pytest.skip(f"shared rulefmt corpus not present at {SHARED}")


@pytest.mark.parametrize("case", CASES or [pytest.param(None, id="absent")])
def test_corpus_file(case, promtool):
    path = SHARED / case["path"]
    proc = subprocess.run([str(promtool), "check", "rules", str(path)], capture_output=True,
                          text=True, check=False)
    output = proc.stdout + proc.stderr
    legacy_only = "LegacyValidation" in case["notes"]
    if case["expected"] == "allow" or legacy_only:
        assert proc.returncode == 0, output
    else:
        assert proc.returncode == 1, output
        expected = case["notes"].removeprefix("expected error: ").replace('\\"', '"')
        assert expected in output, output
    if legacy_only:
        names = [f for rule in load_rules(path) for f in alert_rules.check_names(rule, REPO)]
        assert bool(names) == (case["expected"] == "deny"), names
