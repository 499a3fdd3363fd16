"""The sync engines can apply what the overlays render: Argo CD projects and Flux RBAC."""
from __future__ import annotations

import re

from marty_platform.checks.delivery import guess_resource


def test_resource_names_follow_kubernetes_guessing():
    assert guess_resource("NetworkPolicy") == "networkpolicies"
    assert guess_resource("Ingress") == "ingresses"
    assert guess_resource("Gateway") == "gateways"
    assert guess_resource("OpenTelemetryCollector") == "opentelemetrycollectors"


def test_the_repo_is_deliverable(repo_validation):
    assert repo_validation.findings(check="delivery") == []
    assert repo_validation.json["stats"]["checks"]["delivery"]["checked"] > 0


def test_a_namespace_no_appproject_allows_is_reported(run_cli, repo_copy):
    projects = repo_copy / "gitops" / "argocd" / "staging" / "appprojects.yaml"
    projects.write_text(re.sub(r"    - namespace: monitoring\n      server: [^\n]+\n", "",
                               projects.read_text()))
    outcome = run_cli("validate", "--format", "json", "overlays/staging/platform-monitoring",
                      cwd=repo_copy)
    found = outcome.findings(check="delivery", rule="argocd-destination")
    assert found and all("namespace monitoring" in f["message"] for f in found)
    assert outcome.code == 1


def test_a_kind_the_flux_applier_may_not_manage_is_reported(run_cli, repo_copy):
    kustomizations = repo_copy / "gitops" / "flux" / "prod" / "source.yaml"
    text = kustomizations.read_text()
    assert "opentelemetrycollectors" in text
    kustomizations.write_text(text.replace("- opentelemetrycollectors", "- otherthings"))
    outcome = run_cli("validate", "--format", "json", "overlays/prod/platform-monitoring",
                      cwd=repo_copy)
    [item] = outcome.findings(check="delivery", rule="flux-applier-rbac")
    assert "opentelemetrycollectors (opentelemetry.io)" in item["message"]
