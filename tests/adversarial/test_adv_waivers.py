"""Waivers are weak on purpose: one policy rule, one named resource, a schema-checked file."""
from __future__ import annotations

from pathlib import Path

POD = "tests/fixtures/broken/manifests/policy-deny.yaml"
RULE = "pss.baseline.privileged-containers"
JUSTIFICATION = "debug shell for the incident review, isolated node pool"


def waive(repo: Path, rule: str = RULE, kind: str = "Pod", name: str = "policy-deny",
          namespace: str | None = "marty-prod", expires: str = "2099-12-31") -> None:
    namespace_line = f"\n      namespace: {namespace}" if namespace is not None else ""
    (repo / "policies" / "exceptions.yaml").write_text(f"""exceptions:
  - rule: {rule}
    resource:
      kind: {kind}{namespace_line}
      name: {name}
    justification: {JUSTIFICATION}
    owner: platform-team
    expires: {expires}
""", encoding="utf-8")


def validate(run_cli, repo: Path, *paths: str):
    outcome = run_cli("validate", "--format", "json", *paths, cwd=repo)
    assert "Traceback" not in outcome.stderr and outcome.code in (0, 1), outcome.stderr
    return outcome


def test_wildcards_are_refused_by_the_schema_in_path_mode(run_cli, repo_copy):
    waive(repo_copy, kind='"*"', name='"*"')
    outcome = validate(run_cli, repo_copy, POD)
    assert outcome.findings(rule=RULE)[0]["severity"] == "error"
    problems = outcome.findings(check="schema", rule="policy-exceptions")
    assert {p["line"] for p in problems} == {4, 6}, problems  # kind and name
    assert all(p["file"] == "policies/exceptions.yaml" for p in problems)


def test_a_waiver_never_hides_a_parse_finding(run_cli, repo_copy):
    """A waiver for duplicate-key once made the overlay silently unrendered, exit 0."""
    overlay = repo_copy / "overlays" / "dev" / "trust-anchor" / "kustomization.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8") + "namespace: marty-dev\n",
                       encoding="utf-8")
    (repo_copy / "policies" / "exceptions.yaml").write_text(f"""exceptions:
  - rule: duplicate-key
    resource: {{kind: Kustomization, name: trust-anchor}}
    justification: {JUSTIFICATION}
    owner: platform-team
    expires: 2099-12-31
""", encoding="utf-8")
    outcome = validate(run_cli, repo_copy, "overlays/dev/trust-anchor")
    assert outcome.code == 1
    [item] = outcome.findings(rule="duplicate-key")
    assert item["severity"] == "error"
    assert outcome.findings(check="schema", rule="policy-exceptions")


def test_a_valid_looking_waiver_for_a_non_policy_rule_is_refused(run_cli, repo_copy):
    """Dotted like a policy id, but no policy declares it: it is not a policy rule."""
    waive(repo_copy, rule="kubeconform.schema")
    outcome = validate(run_cli, repo_copy, POD)
    [invalid] = outcome.findings(check="waivers", rule="invalid-waiver")
    assert invalid["line"] == 2 and "not a policy rule" in invalid["message"]
    assert outcome.findings(rule=RULE)[0]["severity"] == "error"


def test_an_impossible_expiry_date_is_a_finding_not_a_crash(run_cli, repo_copy):
    waive(repo_copy, expires="2025-02-30")
    outcome = validate(run_cli, repo_copy, POD)
    [problem] = outcome.findings(check="schema", rule="policy-exceptions")
    assert problem["line"] == 9 and "2025-02-30" in problem["message"]
    assert outcome.findings(rule=RULE)[0]["severity"] == "error"


def test_a_waiver_without_namespace_names_a_cluster_scoped_object_only(run_cli, repo_copy):
    waive(repo_copy, namespace=None)
    outcome = validate(run_cli, repo_copy, POD)
    assert outcome.findings(rule=RULE)[0]["severity"] == "error"


def test_a_waiver_for_another_namespace_does_not_apply(run_cli, repo_copy):
    waive(repo_copy, namespace="marty-dev")
    outcome = validate(run_cli, repo_copy, POD)
    assert outcome.findings(rule=RULE)[0]["severity"] == "error"


def test_an_exact_waiver_still_applies(run_cli, repo_copy):
    waive(repo_copy)
    outcome = validate(run_cli, repo_copy, POD)
    [item] = outcome.findings(rule=RULE)
    assert item["severity"] == "info" and "waived until 2099-12-31" in item["message"]
    assert not outcome.findings(check="schema")
