"""The repo carries the CRD schema of every custom kind it renders, and knows when that set is stale."""
from __future__ import annotations

import json

import pytest

from harness import CRD_SCHEMAS, ROOT

VENDORED = ROOT / "schemas" / "crds"
SCALED_OBJECT = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: ui-app
spec:
  scaleTargetRef:
    name: ui-app
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: "70"
"""


def _add_scaled_object(repo) -> None:
    """A custom kind the repo has no schema for, rendered by the dev namespaces overlay."""
    overlay = repo / "overlays" / "dev" / "platform-namespaces"
    (overlay / "scaled-object.yaml").write_text(SCALED_OBJECT)
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "resources:\n", "resources:\n  - scaled-object.yaml\n", 1))


def test_carried_set_matches_what_the_overlays_render(run_cli):
    outcome = run_cli("refresh-crd-schemas", "--check")
    assert outcome.code == 0, outcome.stdout + outcome.stderr


def test_fresh_clone_checks_every_custom_resource(repo_validation):
    """The whole-repo run has no CRD location configured (tool_env without ../shared): every
    rendered object is schema-checked, none is "not checked"."""
    assert repo_validation.findings(rule="no-schema") == []
    stats = repo_validation.json["stats"]["checks"]["kubeconform"]
    assert stats["not_checked"] == 0 and stats["checked"] > 0


def test_envoyfilter_schema_is_strict_where_istio_is(run_cli, tmp_path):
    manifest = tmp_path / "envoyfilter.yaml"
    manifest.write_text(
        "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata:\n"
        "  name: f\n  namespace: istio-ingress\nspec:\n  configPatches:\n"
        "    - applyTo: HTTP_FILTER\n      match:\n        contxt: GATEWAY\n"
        "      patch:\n        operation: INSERT_BEFOR\n"
        "        value: {name: anything, typed_config: {free: form}}\n")
    outcome = run_cli("validate", "--format", "json", str(manifest))
    messages = [f["message"] for f in outcome.findings(check="kubeconform", rule="schema")]
    assert any("additional properties 'contxt' not allowed" in m for m in messages), messages
    assert any("/patch/operation" in m for m in messages), messages
    assert not any("/patch/value" in m for m in messages), messages


def test_a_rendered_kind_without_schema_is_stale_and_an_error_in_prod(run_cli, repo_copy):
    _add_scaled_object(repo_copy)
    outcome = run_cli("refresh-crd-schemas", "--check", cwd=repo_copy)
    assert outcome.code == 1
    assert "missing: schemas/crds/keda.sh/scaledobject_v1alpha1.json" in outcome.stdout
    prod = repo_copy / "overlays" / "prod" / "platform-namespaces"
    (prod / "scaled-object.yaml").write_text(SCALED_OBJECT)
    kustomization = prod / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "resources:\n", "resources:\n  - scaled-object.yaml\n", 1))
    validated = run_cli("validate", "--format", "json", "overlays/prod/platform-namespaces",
                        cwd=repo_copy)
    [item] = validated.findings(rule="no-schema")
    assert item["severity"] == "error" and validated.code == 1
    assert "scripts/refresh-crd-schemas" in item["message"]


def test_a_hand_edited_copy_is_stale(run_cli, repo_copy):
    copy = repo_copy / "schemas" / "crds" / "argoproj.io" / "rollout_v1alpha1.json"
    schema = json.loads(copy.read_text())
    schema["properties"].pop("status", None)
    copy.write_text(json.dumps(schema))
    outcome = run_cli("refresh-crd-schemas", "--check", cwd=repo_copy)
    assert outcome.code == 1
    assert "edited copy: schemas/crds/argoproj.io/rollout_v1alpha1.json" in outcome.stdout


def test_a_schema_with_a_remote_reference_is_not_used(run_cli, repo_copy, tmp_path):
    copy = repo_copy / "schemas" / "crds" / "velero.io" / "schedule_v1.json"
    schema = json.loads(copy.read_text())
    schema["properties"]["spec"] = {"$ref": "https://schemas.example.invalid/schedule.json"}
    copy.write_text(json.dumps(schema))
    manifest = tmp_path / "rollout.yaml"
    manifest.write_text("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n"
                        "  name: r\n  namespace: marty-dev\nspec: {}\n")
    outcome = run_cli("validate", "--format", "json", "--env", "dev", str(manifest), cwd=repo_copy)
    assert outcome.code == 1
    [unsafe] = outcome.findings(rule="unsafe-schema")
    assert unsafe["file"] == "schemas/crds/velero.io/schedule_v1.json"
    assert outcome.findings(rule="no-schema"), outcome.json["findings"]


@pytest.mark.shared
def test_refresh_copies_exactly_the_rendered_kinds_from_the_catalog(run_cli, repo_copy):
    _add_scaled_object(repo_copy)
    rollout = repo_copy / "schemas" / "crds" / "argoproj.io" / "rollout_v1alpha1.json"
    rollout.write_text("{}")  # refreshed back to the catalog's copy
    outcome = run_cli("refresh-crd-schemas", "--from", str(CRD_SCHEMAS), "--source",
                      "datreeio/CRDs-catalog@7b1e26ef", cwd=repo_copy)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    carried = repo_copy / "schemas" / "crds"
    added = carried / "keda.sh" / "scaledobject_v1alpha1.json"
    assert added.read_bytes() == (CRD_SCHEMAS / "keda.sh" / "scaledobject_v1alpha1.json").read_bytes()
    assert rollout.read_bytes() == (CRD_SCHEMAS / "argoproj.io" / "rollout_v1alpha1.json").read_bytes()
    # The hand-written schema survives; the rest of the tree is what the committed one holds.
    committed = {p.relative_to(VENDORED) for p in VENDORED.rglob("*") if p.is_file()}
    refreshed = {p.relative_to(carried) for p in carried.rglob("*") if p.is_file()}
    assert refreshed - committed == {added.relative_to(carried)}
    assert committed - refreshed == set()
    assert (carried / "networking.istio.io" / "envoyfilter_v1alpha3.json").read_bytes() == \
        (VENDORED / "networking.istio.io" / "envoyfilter_v1alpha3.json").read_bytes()
    assert run_cli("refresh-crd-schemas", "--check", cwd=repo_copy).code == 0
