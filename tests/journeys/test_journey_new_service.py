"""README, "Adding a service": a catalog entry, one `scripts/generate`, and the whole repo
validates apart from the new service's image digests in staging and prod; its first release
(into dev) and two promotions pin them, and then the whole repo validates clean.
"""
from __future__ import annotations

import yaml

from journey_support import GIT_IDENTITY, NEW_SERVICE

DIGEST = "sha256:a7d1c3e5f9b2046e8d1c3a5f7b9e0d2c4a6f8b1d3e5c7a9f0b2d4e6a8c1e3f5d"


def _image(repo, env: str) -> dict:
    overlay = yaml.safe_load((repo / "overlays" / env / "visa-engine" / "kustomization.yaml")
                             .read_text())
    return overlay["helmCharts"][0]["valuesInline"]["image"]


def test_one_generate_then_a_release_makes_a_new_service_valid(journey_repo, run_cli):
    repo = journey_repo
    catalog = repo / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text() + NEW_SERVICE)

    generate = run_cli("generate", cwd=repo)
    assert generate.code == 0, generate.stdout + generate.stderr
    for env in ("dev", "staging", "prod"):
        assert f"wrote: overlays/{env}/visa-engine/kustomization.yaml" in generate.stdout
        assert f"wrote: gitops/flux/{env}/kustomizations.yaml" in generate.stdout
        assert _image(repo, env) == {"tag": "1.0.0"}  # nothing invents a digest
    assert run_cli("generate", "--check", cwd=repo).code == 0

    # One generate is enough: the only errors left are the digests staging and prod require.
    outcome = run_cli("validate", "--format", "json", cwd=repo)
    errors = [f for f in outcome.json["findings"] if f["severity"] == "error"]
    assert errors and outcome.code == 1, outcome.stderr
    assert {(f["rule"], f["env"]) for f in errors} <= {("images.digest-pinned", "staging"),
                                                        ("images.digest-pinned", "prod")}, errors
    assert all("visa-engine" in f["resource"] and "pin a digest with `scripts/release "
               "visa-engine 1.0.0 --digest" in f["message"] for f in errors), errors

    # Promotion says so by name before editing anything, and so does its dry run.
    blocked = run_cli("promote", "dev", "staging", "--app", "visa-engine", "--dry-run", cwd=repo,
                      env=GIT_IDENTITY)
    assert blocked.code == 1
    assert "visa-engine 1.0.0 has no digest in dev, and staging requires one" in blocked.stderr

    # The image pipeline's release enters dev; promotions carry tag and digest to prod.
    for command in (("release", "visa-engine", "1.0.0", "--digest", DIGEST),
                    ("promote", "dev", "staging", "--app", "visa-engine"),
                    ("promote", "staging", "prod", "--app", "visa-engine")):
        step = run_cli(*command, cwd=repo, env=GIT_IDENTITY)
        assert step.code == 0, (command, step.stderr[-3000:])
    assert _image(repo, "prod") == {"tag": "1.0.0", "digest": DIGEST}

    clean = run_cli("validate", "--format", "json", cwd=repo)
    assert clean.code == 0, [f for f in clean.json["findings"] if f["severity"] == "error"]
