"""Per-env differences, asserted on the rendered service overlays."""
from __future__ import annotations

from content_helpers import ROOT, by_kind, kustomize_build, one

SERVICE = "trust-anchor"


def build(env: str, app: str = SERVICE):
    return kustomize_build(ROOT / "overlays" / env / app)


def test_dev_one_replica_debug_logging_plain_deployment():
    objs = build("dev")
    deploy = one(objs, "Deployment")
    assert deploy["spec"]["replicas"] == 1
    app = deploy["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "LOG_LEVEL", "value": "debug"} in app["env"]
    assert app["resources"]["requests"]["cpu"] == "25m"
    assert not by_kind(objs, "Rollout") and not by_kind(objs, "HorizontalPodAutoscaler")
    assert all(o["metadata"].get("namespace") == "marty-dev" for o in objs)


def test_staging_two_replicas_with_canary_analysis():
    objs = build("staging")
    rollout = one(objs, "Rollout")
    assert rollout["spec"]["replicas"] == 2
    assert rollout["spec"]["strategy"]["canary"]["analysis"]["templates"]
    assert one(objs, "AnalysisTemplate")
    app = rollout["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "LOG_LEVEL", "value": "info"} in app["env"]


def test_prod_three_replicas_spread_pdb_hpa_digest():
    objs = build("prod")
    rollout = one(objs, "Rollout")
    spec = rollout["spec"]["template"]["spec"]
    assert rollout["spec"]["replicas"] >= 3
    assert {c["topologyKey"] for c in spec["topologySpreadConstraints"]} == {
        "topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    assert "podAntiAffinity" in spec["affinity"]
    assert one(objs, "PodDisruptionBudget")
    assert one(objs, "HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2
    assert all("@sha256:" in c["image"] for c in spec["containers"])
    assert rollout["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] == "true"


def test_ui_app_is_blue_green_in_prod():
    rollout = one(build("prod", "ui-app"), "Rollout")
    assert "blueGreen" in rollout["spec"]["strategy"]


def test_every_catalog_service_has_an_overlay_per_env():
    import yaml
    names = [s["name"] for s in yaml.safe_load(
        (ROOT / "catalog" / "services.yaml").read_text())["services"]]
    assert len(names) == 11
    for env in ("dev", "staging", "prod"):
        for name in names:
            assert (ROOT / "overlays" / env / name / "kustomization.yaml").is_file()


def test_prod_network_is_stricter_than_dev():
    dev = {o["metadata"]["name"] for o in build("dev", "platform-network")}
    prod = {o["metadata"]["name"] for o in build("prod", "platform-network")}
    assert "default-deny-ingress" in dev and "default-deny-egress" not in dev
    assert {"default-deny-ingress", "default-deny-egress"} <= prod
