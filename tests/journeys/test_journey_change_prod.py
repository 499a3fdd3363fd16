"""Journey: give one prod service 5 replicas the way README's "Changing a service" says, on a
branch, and read the pull request's diff comment.

README: add a small values file to the prod overlay's `additionalValuesFiles` (`replicaCount: 5`,
`autoscaling: {minReplicas: 5, maxReplicas: 12}`). The PR's diff then changes exactly that app's
Rollout and HPA, and its markdown fits in one GitHub comment.
"""
from __future__ import annotations

import json

import yaml

from journey_support import GIT_IDENTITY, git

APP = "csca-service"
GITHUB_COMMENT_LIMIT = 65_536


def _add_values_file(overlay) -> None:
    (overlay / "replicas.yaml").write_text(
        "# More replicas for this service in prod.\n"
        "replicaCount: 5\nautoscaling:\n  minReplicas: 5\n  maxReplicas: 12\n")
    kustomization = overlay / "kustomization.yaml"
    data = yaml.safe_load(kustomization.read_text())
    [chart] = data["helmCharts"]
    assert chart["additionalValuesFiles"] == ["../../../base/profiles/prod.yaml"]
    text = kustomization.read_text()
    kustomization.write_text(text.replace(
        "      - ../../../base/profiles/prod.yaml\n",
        "      - ../../../base/profiles/prod.yaml\n      - replicas.yaml\n", 1))


def test_more_replicas_for_one_prod_service(journey_repo, run_cli):
    git(journey_repo, "switch", "--quiet", "--create", f"{APP}-replicas")
    _add_values_file(journey_repo / "overlays" / "prod" / APP)
    validation = run_cli("validate", f"overlays/prod/{APP}", cwd=journey_repo, env=GIT_IDENTITY)
    assert validation.code == 0, validation.stdout + validation.stderr
    git(journey_repo, "add", "--all")
    git(journey_repo, "commit", "--quiet", "--message", f"{APP}: 5 replicas in prod")

    as_json = run_cli("diff", "--base", "main", "--format", "json", cwd=journey_repo,
                      env=GIT_IDENTITY)
    assert as_json.code == 1, as_json
    report = json.loads(as_json.stdout)
    assert report["errors"] == []
    changed = {(app["env"], app["app"], r["kind"], r["name"], r["status"])
               for app in report["apps"] for r in app["resources"]}
    assert changed == {("prod", APP, "Rollout", APP, "changed"),
                       ("prod", APP, "HorizontalPodAutoscaler", APP, "changed")}
    fields = {(r["kind"], c["path"], c["before"], c["after"])
              for app in report["apps"] for r in app["resources"] for c in r["changes"]}
    assert fields == {("Rollout", "spec.replicas", 3, 5),
                      ("HorizontalPodAutoscaler", "spec.minReplicas", 3, 5),
                      ("HorizontalPodAutoscaler", "spec.maxReplicas", 9, 12)}

    comment = run_cli("diff", "--base", "main", "--format", "markdown", cwd=journey_repo,
                      env=GIT_IDENTITY)
    assert comment.code == 1, comment
    assert len(comment.stdout) <= GITHUB_COMMENT_LIMIT
    assert f"Rollout/marty-prod/{APP}" in comment.stdout
    assert f"HorizontalPodAutoscaler/marty-prod/{APP}" in comment.stdout
    assert "PodDisruptionBudget" not in comment.stdout
