"""Waivers in policies/exceptions.yaml: they apply, they expire, unused ones are reported."""
from __future__ import annotations

from pathlib import Path

POD = "tests/fixtures/broken/manifests/policy-deny.yaml"
RULE = "pss.baseline.privileged-containers"


def waive(repo: Path, expires: str, justification: str = "debug shell for the incident "
          "review, isolated node pool", rule: str = RULE, name: str = "policy-deny") -> None:
    (repo / "policies" / "exceptions.yaml").write_text(f"""exceptions:
  - rule: {rule}
    resource:
      kind: Pod
      namespace: marty-prod
      name: {name}
    justification: {justification}
    owner: platform-team
    expires: {expires}
""")


def test_a_waiver_turns_the_finding_into_info(run_cli, repo_copy):
    waive(repo_copy, "2099-12-31")
    outcome = run_cli("validate", "--format", "json", POD, cwd=repo_copy)
    [item] = outcome.findings(rule=RULE)
    assert item["severity"] == "info"
    assert "waived until 2099-12-31 by platform-team" in item["message"]
    # The other problems of the same pod are still errors.
    assert outcome.code == 1
    assert outcome.findings(rule="pss.restricted.seccomp")[0]["severity"] == "error"


def test_an_expired_waiver_stops_applying_and_is_reported(run_cli, repo_copy):
    waive(repo_copy, "2026-01-31")
    outcome = run_cli("validate", "--format", "json", "--today", "2026-02-01", POD,
                      cwd=repo_copy)
    [item] = outcome.findings(rule=RULE)
    assert item["severity"] == "error" and "waiver expired 2026-01-31" in item["message"]
    [expired] = outcome.findings(check="waivers", rule="expired-waiver")
    assert expired["file"] == "policies/exceptions.yaml" and expired["line"] == 2
    assert expired["severity"] == "error"


def test_a_waiver_without_justification_is_rejected(run_cli, repo_copy):
    waive(repo_copy, "2099-12-31", justification="''")
    outcome = run_cli("validate", "--format", "json", POD, cwd=repo_copy)
    assert outcome.findings(rule=RULE)[0]["severity"] == "error"
    [invalid] = outcome.findings(check="schema", rule="policy-exceptions")
    assert invalid["line"] == 7 and "justification" in invalid["message"]


def test_an_unused_waiver_is_reported_on_a_whole_repo_run(run_cli, repo_copy):
    waive(repo_copy, "2099-12-31", name="no-such-pod")
    outcome = run_cli("validate", "--format", "json", cwd=repo_copy)
    [unused] = outcome.findings(check="waivers", rule="unused-waiver")
    assert unused["severity"] == "warning" and unused["file"] == "policies/exceptions.yaml"
