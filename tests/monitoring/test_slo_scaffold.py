"""Zero-config SLOs: adding a service to the catalog adds its SLO, its rules and their delivery.

`scripts/generate` scaffolds monitoring/slo/<service>.yaml from the service's protocol (once,
never overwriting a tuned spec); Sloth then generates its rules and the prometheus-rules
generator wraps them as a PrometheusRule.
"""
from __future__ import annotations

import yaml

from marty_platform import catalog
from marty_platform.monitoring import slo_specs

NEW_SERVICE = """  - name: vds-engine
    description: Issues visible digital seals.
    protocol: http
    port: 8091
    team: credentials
    database: false
    dependencies: [document-signer]
"""


def test_stub_of_an_existing_service_matches_its_hand_written_spec_shape(repo):
    """The stub is what the team would have copied: only the objectives and a comment differ."""
    services = {s.name: s for s in catalog.load(repo)}
    for name in ("csca-service", "ui-app"):
        stub = yaml.safe_load(catalog.slo_spec_stub(services[name]))
        spec = yaml.safe_load((repo / "monitoring" / "slo" / f"{name}.yaml").read_text())
        for slo in (*stub["slos"], *spec["slos"]):
            slo.pop("objective"), slo.pop("description")
        assert stub == spec, name


def test_every_catalog_service_has_its_spec_so_nothing_is_scaffolded(repo):
    assert catalog.missing_slo_specs(repo) == []


def test_a_new_service_gets_its_slo_rules_and_prometheus_rule(run_cli, repo_copy, sloth):
    catalog_file = repo_copy / "catalog" / "services.yaml"
    catalog_file.write_text(catalog_file.read_text() + NEW_SERVICE)
    spec = repo_copy / "monitoring" / "slo" / "vds-engine.yaml"

    check = run_cli("generate", "--check", cwd=repo_copy)
    assert check.code == 1
    assert "stale: monitoring/slo/vds-engine.yaml (catalog)" in check.stdout
    assert not spec.exists(), "check mode must not write"
    assert [f.rule for f in slo_specs.check_specs(repo_copy)] == ["slo-missing"]

    wrote = run_cli("generate", cwd=repo_copy)
    assert wrote.code == 0, wrote.stdout + wrote.stderr
    for path in ("monitoring/slo/vds-engine.yaml",
                 "monitoring/rules/generated/slo-vds-engine.yaml",
                 "base/platform/monitoring/rules/slo-vds-engine.yaml",
                 "overlays/prod/vds-engine/kustomization.yaml"):
        assert f"wrote: {path}" in wrote.stdout, path
    assert slo_specs.check_specs(repo_copy) == []
    doc = yaml.safe_load(spec.read_text())
    assert doc["service"] == "vds-engine" and doc["labels"]["team"] == "credentials"
    assert "marty_http_requests_total" in doc["slos"][0]["sli"]["events"]["error_query"]
    rule = yaml.safe_load(
        (repo_copy / "base/platform/monitoring/rules/slo-vds-engine.yaml").read_text())
    assert rule["metadata"]["labels"]["marty.dev/team"] == "credentials"
    assert "slo-vds-engine.yaml" in (
        repo_copy / "base/platform/monitoring/rules/kustomization.yaml").read_text()

    # The team tunes the objective: regenerating keeps the spec and follows it.
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.5", 1))
    again = run_cli("generate", cwd=repo_copy)
    assert again.code == 0
    assert "monitoring/slo/vds-engine.yaml" not in again.stdout
    assert "objective: 99.5" in spec.read_text()
    assert "vector(0.995)" in (repo_copy / "base/platform/monitoring/rules/"
                               "slo-vds-engine.yaml").read_text()
    assert run_cli("generate", "--check", cwd=repo_copy).code == 0


def test_removed_rule_file_drops_its_prometheus_rule(run_cli, repo_copy, sloth):
    (repo_copy / "monitoring" / "rules" / "pkd.yaml").unlink()
    check = run_cli("generate", "--check", cwd=repo_copy)
    assert "stale: base/platform/monitoring/rules/pkd.yaml (prometheus-rules)" in check.stdout
    assert run_cli("generate", cwd=repo_copy).code == 0
    assert not (repo_copy / "base/platform/monitoring/rules/pkd.yaml").exists()
    assert "pkd.yaml" not in (
        repo_copy / "base/platform/monitoring/rules/kustomization.yaml").read_text()
