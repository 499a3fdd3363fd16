"""`conftest verify` runs every policy unit test; metadata and Rego agree on rule ids."""
from __future__ import annotations

import json
import re
import subprocess

import yaml

from _conftest_bin import POLICIES, POLICY_DATA, ROOT, conftest_binary

RULE_IN_REGO = re.compile(r'"rule":\s*"([a-z0-9.-]+)"')


def _policy_dirs():
    return sorted(p.parent for p in POLICIES.glob("*/metadata.yaml"))


def test_conftest_verify_passes():
    proc = subprocess.run(
        [conftest_binary(), "verify", "--policy", str(POLICIES), "--data", str(POLICY_DATA),
         "--no-color", "--output", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"conftest verify failed:\n{proc.stdout}\n{proc.stderr}"
    results = json.loads(proc.stdout)
    passed = sum(r.get("successes", 0) for r in results)
    failed = [r for r in results if r.get("failures")]
    assert not failed, failed
    assert passed > 0, "conftest verify ran no tests"
    # one result per test: every policy folder contributes tests
    tested = {r["filename"].split("/")[-2] for r in results}
    assert {d.name for d in _policy_dirs()} <= tested


def test_every_policy_folder_is_complete():
    dirs = _policy_dirs()
    assert dirs, "no policies found"
    for d in dirs:
        name = d.name
        for f in (f"{name}.rego", f"{name}_test.rego", "README.md", "metadata.yaml"):
            assert (d / f).is_file(), f"{d}/{f} is missing"
        for rego in d.glob("*.rego"):
            assert "import rego.v1" in rego.read_text(), f"{rego} must use `import rego.v1`"


def test_metadata_matches_rego_rule_ids():
    for d in _policy_dirs():
        meta = yaml.safe_load((d / "metadata.yaml").read_text())
        declared = {r["id"] for r in meta["rules"]}
        for r in meta["rules"]:
            assert r["severity"] in ("error", "warning"), r
            assert r.get("fix") and r.get("description") and r.get("title"), r
        emitted = set(RULE_IN_REGO.findall((d / f"{d.name}.rego").read_text()))
        assert declared == emitted, f"{d.name}: metadata {sorted(declared)} vs rego {sorted(emitted)}"
        tests = (d / f"{d.name}_test.rego").read_text()
        untested = [i for i in declared if f'"{i}"' not in tests]
        assert not untested, f"{d.name}: rules without unit tests: {untested}"


def test_severity_matches_result_set():
    """error rules are emitted into deny, warning rules into warn."""
    for d in _policy_dirs():
        meta = yaml.safe_load((d / "metadata.yaml").read_text())
        text = (d / f"{d.name}.rego").read_text()
        for r in meta["rules"]:
            head = "deny" if r["severity"] == "error" else "warn"
            pattern = rf'{head} contains \{{"rule": "{re.escape(r["id"])}"'
            alt = rf'{head} contains \{{"msg": msg, "rule": "{re.escape(r["id"])}"'
            assert re.search(pattern, text) or re.search(alt, text), f"{r['id']} must be emitted into {head}"


def test_docs_are_up_to_date(run_cli):
    outcome = run_cli("generate", "--check")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
