"""rbac.no-escalation-verbs: no Role/ClusterRole grants bind, escalate or impersonate, and the
Flux applier's ClusterRole (generated from the catalog) needs none of them."""
from __future__ import annotations

ESCALATING_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: deployer
  labels:
    app.kubernetes.io/part-of: marty
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list]
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [clusterroles, clusterrolebindings]
    verbs: [get, create, update, bind, escalate]
"""
FLUX_SOURCES = [f"gitops/flux/{env}/source.yaml" for env in ("dev", "staging", "prod")]


def test_role_granting_escalation_verbs_is_reported(run_cli, tmp_path):
    manifest = tmp_path / "role.yaml"
    manifest.write_text(ESCALATING_ROLE)
    outcome = run_cli("validate", "--format", "json", str(manifest))
    found = outcome.findings(rule="rbac.no-escalation-verbs")
    assert len(found) == 1, outcome.stdout + outcome.stderr
    assert found[0]["resource"] == "ClusterRole/-/deployer"
    assert '["bind", "escalate"]' in found[0]["message"] and "rules[1]" in found[0]["message"]
    assert outcome.code == 1


def test_flux_applier_roles_grant_no_escalation(run_cli):
    outcome = run_cli("validate", "--format", "json", *FLUX_SOURCES)
    assert outcome.code in (0, 1), outcome.stderr
    assert outcome.findings(rule="rbac.no-escalation-verbs") == []
    roles = [f for f in outcome.json["findings"] if "ClusterRole/" in (f["resource"] or "")]
    assert roles == []


def test_flux_overlays_stay_deliverable(run_cli):
    """The applier still manages every kind its own overlay applies (check `delivery`)."""
    outcome = run_cli("validate", "--format", "json", "overlays/prod/gitops-flux",
                      "overlays/prod/platform-namespaces")
    assert outcome.findings(check="delivery") == [], outcome.stdout
    assert outcome.findings(rule="rbac.no-escalation-verbs") == []
