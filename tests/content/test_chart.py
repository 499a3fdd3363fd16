"""charts/microservice rendered with each env's example values (ci/<env>-values.yaml)."""
from __future__ import annotations

import pytest

from content_helpers import CHART, by_kind, helm_template, one

ENVS = ["dev", "staging", "prod"]


def workload(objs):
    found = [o for o in objs if o["kind"] in ("Deployment", "Rollout")]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module", params=ENVS)
def rendered(request):
    return request.param, helm_template(CHART / "ci" / f"{request.param}-values.yaml")


def test_restricted_pod_security(rendered):
    _, objs = rendered
    pods = [workload(objs)["spec"]["template"]["spec"]]
    pods += [j["spec"]["template"]["spec"] for j in by_kind(objs, "Job")]
    for pod in pods:
        psc = pod["securityContext"]
        assert psc["runAsNonRoot"] is True and psc["runAsUser"] > 0
        assert psc["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
            assert c["resources"]["requests"] and c["resources"]["limits"]


def test_probes_and_separate_metrics_port(rendered):
    _, objs = rendered
    app = workload(objs)["spec"]["template"]["spec"]["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert probe in app
    ports = {p["name"]: p["containerPort"] for p in app["ports"]}
    assert ports["metrics"] == 9090 and len(ports) == 2
    svc_ports = {p["name"] for p in by_kind(objs, "Service")[0]["spec"]["ports"]}
    assert "metrics" in svc_ports
    assert one(objs, "ServiceMonitor")["spec"]["endpoints"][0]["port"] == "metrics"


def test_service_account_without_token(rendered):
    _, objs = rendered
    assert one(objs, "ServiceAccount")["automountServiceAccountToken"] is False


def test_recommended_labels(rendered):
    _, objs = rendered
    labels = workload(objs)["metadata"]["labels"]
    for key in ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/version",
                "app.kubernetes.io/managed-by", "marty.dev/team"):
        assert labels.get(key), key


def test_dev_is_a_single_deployment_with_migration_hook():
    objs = helm_template(CHART / "ci" / "dev-values.yaml")
    deploy = one(objs, "Deployment")
    assert deploy["spec"]["replicas"] == 1
    assert not by_kind(objs, "Rollout") and not by_kind(objs, "HorizontalPodAutoscaler")
    job = one(objs, "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PreSync"
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"


def test_prod_rollout_canary_with_analysis_and_digest():
    objs = helm_template(CHART / "ci" / "prod-values.yaml")
    assert not by_kind(objs, "Deployment")
    rollout = one(objs, "Rollout")
    assert rollout["spec"]["replicas"] >= 3
    canary = rollout["spec"]["strategy"]["canary"]
    template = canary["analysis"]["templates"][0]["templateName"]
    analysis = one(objs, "AnalysisTemplate")
    assert analysis["metadata"]["name"] == template
    assert {m["name"] for m in analysis["spec"]["metrics"]} == {"error-rate", "latency-p99"}
    for c in rollout["spec"]["template"]["spec"]["containers"]:
        assert "@sha256:" in c["image"]
    for j in by_kind(objs, "Job"):
        assert "@sha256:" in j["spec"]["template"]["spec"]["containers"][0]["image"]
    hpa = one(objs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "Rollout"
    assert hpa["spec"]["minReplicas"] >= 2
    assert one(objs, "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1
    spread = rollout["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread[0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert spread[0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert "podAntiAffinity" in rollout["spec"]["template"]["spec"]["affinity"]
    netpol = one(objs, "NetworkPolicy")
    assert "Egress" in netpol["spec"]["policyTypes"]


def test_staging_blue_green_has_preview_service_and_tls_ingress():
    objs = helm_template(CHART / "ci" / "staging-values.yaml")
    bg = one(objs, "Rollout")["spec"]["strategy"]["blueGreen"]
    names = {s["metadata"]["name"] for s in by_kind(objs, "Service")}
    assert {bg["activeService"], bg["previewService"]} == names
    assert bg["prePromotionAnalysis"]["templates"]
    ingress = one(objs, "Ingress")
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    probe = one(objs, "Rollout")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert probe["httpGet"]["path"] == "/healthz"
