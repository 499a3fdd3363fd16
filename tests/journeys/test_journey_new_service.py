"""README, "Adding a service": a catalog entry, one `scripts/generate`, and the whole repo
validates, apart from pinning the new service's prod image digest, which the release step does.
"""
from __future__ import annotations

NEW_SERVICE = """  - name: visa-engine
    description: Issues visa data for e-visa credentials.
    protocol: grpc
    port: 8092
    team: credentials
    database: true
    dependencies: [document-signer, kafka, postgresql]
"""


def test_one_generate_makes_a_new_service_valid(journey_repo, run_cli):
    catalog = journey_repo / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text() + NEW_SERVICE)

    generate = run_cli("generate", cwd=journey_repo)
    assert generate.code == 0, generate.stdout + generate.stderr
    for env in ("dev", "staging", "prod"):
        assert f"wrote: overlays/{env}/visa-engine/kustomization.yaml" in generate.stdout
        assert f"wrote: gitops/flux/{env}/kustomizations.yaml" in generate.stdout
    assert run_cli("generate", "--check", cwd=journey_repo).code == 0

    # RELEASE STEP: `scripts/release` pins the prod digest here once it exists; until then the
    # digest finding below is the only one allowed.
    outcome = run_cli("validate", "--format", "json", cwd=journey_repo)
    errors = [f for f in outcome.json["findings"] if f["severity"] == "error"]
    assert all(f["rule"] == "images.digest-pinned" and f["env"] == "prod"
               and "visa-engine" in f["resource"] for f in errors), errors
    assert outcome.code == (1 if errors else 0), outcome.stderr
