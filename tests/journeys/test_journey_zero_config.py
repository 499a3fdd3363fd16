"""README, "Adding a service", zero-config monitoring: a catalog entry and one `scripts/generate`
are all a new service needs to be scraped, alerted on and routed to its team, dashboarded and
traced; `scripts/validate` (check zero-config) proves the four for it in every env, with the
real tools, and fails the moment one of them stops holding for that service."""
from __future__ import annotations

import pytest
from journey_support import NEW_SERVICE

ENVS = ("dev", "staging", "prod")


def _validate(run_cli, repo, env: str):
    outcome = run_cli("validate", "--env", env, "--format", "json", f"overlays/{env}/visa-engine",
                      f"overlays/{env}/platform-monitoring", f"overlays/{env}/gitops-flux",
                      f"overlays/{env}/gitops-argocd", cwd=repo)
    assert outcome.code in (0, 1), outcome.stderr
    return outcome


@pytest.fixture
def repo_with_new_service(journey_repo, run_cli):
    catalog = journey_repo / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text() + NEW_SERVICE)
    generate = run_cli("generate", cwd=journey_repo)
    assert generate.code == 0, generate.stderr
    return journey_repo


def test_a_new_service_is_monitored_with_no_edit_outside_the_catalog(repo_with_new_service,
                                                                      run_cli):
    repo = repo_with_new_service
    for env in ENVS:
        outcome = _validate(run_cli, repo, env)
        assert outcome.findings(check="zero-config") == [], env
        # Its ServiceMonitor, alerts (routed to credentials), the dashboards and the collector
        # were judged: the check reports what it looked at.
        stats = outcome.json["stats"]
        assert "zero-config" in str(stats), stats

    # The same check fails for that service as soon as Prometheus would not select it (in
    # staging, where the chart's alerts are on; dev turns them off in its profile).
    overlay = repo / "overlays" / "staging" / "visa-engine" / "kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("    valuesInline:\n",
                                                   "    valuesInline:\n      partOf: visa\n", 1))
    broken = _validate(run_cli, repo, "staging")
    unselected = {f["resource"] for f in broken.findings(check="zero-config", rule="not-selected")}
    assert unselected == {"ServiceMonitor/marty-staging/visa-engine",
                          "PrometheusRule/marty-staging/visa-engine"}, broken.findings(
        check="zero-config")


def test_a_team_without_a_route_is_refused_before_anything_is_generated(journey_repo, run_cli):
    catalog = journey_repo / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text() + NEW_SERVICE.replace("team: credentials",
                                                                 "team: payments"))
    generate = run_cli("generate", cwd=journey_repo)
    assert generate.code == 1
    assert "team 'payments' of visa-engine has no route" in generate.stdout + generate.stderr
    assert not (journey_repo / "overlays" / "dev" / "visa-engine").exists()
