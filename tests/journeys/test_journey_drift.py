"""Journey: an operator checks prod for drift against a cluster that runs exactly what git renders.

The live state is the repo's own render of prod, as a real cluster returns it: with the metadata
and defaults the API server and controllers add, namespaces dropped from cluster-scoped objects,
HPA-scaled replica counts, and the tracking marks Argo CD and Flux put on what they apply. That is
no drift. Then one object is changed out of band, one is deleted and one chart-labelled leftover
appears: drift reports exactly those three.
"""
from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from journey_support import GIT_IDENTITY

ENV = "prod"
APP = "trust-anchor"
# What the API server knows to be cluster-scoped (it drops a namespace sent with these).
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer",
                  "ClusterSecretStore"}
_SOURCE = re.compile(r"^# Source: overlays/(?P<env>[^/]+)/(?P<app>\S+)$", re.MULTILINE)


def rendered_by_app(text: str) -> list[tuple[str, dict]]:
    """(app, object) for every object `scripts/render` printed."""
    marks = list(_SOURCE.finditer(text))
    result = []
    for mark, following in zip(marks, marks[1:] + [None]):
        chunk = text[mark.end(): following.start() if following else len(text)]
        result += [(mark.group("app"), doc) for doc in yaml.safe_load_all(chunk) if doc]
    return result


def _group(obj: dict) -> str:
    api_version = obj["apiVersion"]
    return api_version.rpartition("/")[0] if "/" in api_version else ""


POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout"}


def _pod_template(obj: dict) -> dict | None:
    return obj["spec"]["template"] if obj["kind"] in POD_OWNERS else None


def as_the_cluster_returns_it(app: str, desired: dict, serial: int) -> dict:
    obj = copy.deepcopy(desired)
    meta = obj["metadata"]
    uid = f"00000000-0000-4000-8000-{serial:012d}"
    if obj["kind"] in CLUSTER_SCOPED:
        meta.pop("namespace", None)
    meta.update(uid=uid, resourceVersion=str(1000 + serial), generation=1,
                creationTimestamp="2026-11-01T10:00:00Z",
                managedFields=[{"manager": "argocd-controller", "operation": "Apply"}])
    namespace = meta.get("namespace", "")
    meta.setdefault("annotations", {})["argocd.argoproj.io/tracking-id"] = (
        f"{ENV}-{app}:{_group(obj)}/{obj['kind']}:{namespace}/{meta['name']}")
    meta.setdefault("labels", {}).update({"kustomize.toolkit.fluxcd.io/name": app,
                                          "kustomize.toolkit.fluxcd.io/namespace": "flux-system"})
    obj["status"] = {"observedGeneration": 1}
    spec = obj.get("spec")
    kind = obj["kind"]
    if kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.update(clusterIP=f"10.96.0.{serial % 250 + 1}", clusterIPs=[f"10.96.0.{serial % 250 + 1}"],
                    ipFamilies=["IPv4"], ipFamilyPolicy="SingleStack", sessionAffinity="None",
                    internalTrafficPolicy="Cluster")
        for port in spec.get("ports", []):
            port.setdefault("protocol", "TCP")
    if kind == "Job":
        controller = {"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid,
                      "batch.kubernetes.io/job-name": meta["name"], "job-name": meta["name"]}
        spec.update(selector={"matchLabels": {"batch.kubernetes.io/controller-uid": uid}},
                    manualSelector=False, podReplacementPolicy="TerminatingOrFailed",
                    completionMode="NonIndexed", suspend=False)
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("parallelism", 1)
        spec.setdefault("completions", 1)
        spec["template"].setdefault("metadata", {}).setdefault("labels", {}).update(controller)
    if kind == "Rollout":
        spec["replicas"] = 7  # the HPA scaled it
    template = _pod_template(obj)
    if template is not None:
        pod = template.setdefault("spec", {})
        pod.setdefault("dnsPolicy", "ClusterFirst")
        pod.setdefault("restartPolicy", "Always")
        pod.setdefault("schedulerName", "default-scheduler")
        pod.setdefault("terminationGracePeriodSeconds", 30)
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            container.setdefault("imagePullPolicy", "IfNotPresent")
            container.setdefault("terminationMessagePath", "/dev/termination-log")
            container.setdefault("terminationMessagePolicy", "File")
    return obj


@pytest.fixture
def prod_render(journey_repo, run_cli) -> list[tuple[str, dict]]:
    rendered = run_cli("render", "--env", ENV, cwd=journey_repo, env=GIT_IDENTITY)
    assert rendered.code == 0, rendered.stderr
    objects = rendered_by_app(rendered.stdout)
    assert {app for app, _ in objects} >= {APP, "platform-certs", "platform-secrets"}
    return objects


def live_state(prod_render) -> list[dict]:
    return [as_the_cluster_returns_it(app, obj, serial)
            for serial, (app, obj) in enumerate(prod_render, 1)]


def drift(run_cli, journey_repo, tmp_path, items, *extra):
    live = tmp_path / "live.json"
    live.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    result = run_cli("drift", "--env", ENV, "--live", str(live), "--format", "json", *extra,
                     cwd=journey_repo, env=GIT_IDENTITY)
    assert result.stdout.strip(), result.stderr
    return result, json.loads(result.stdout)


def _find(items, kind, name):
    [found] = [i for i in items if i["kind"] == kind and i["metadata"]["name"] == name]
    return found


def _out_of_band(items):
    """One field changed by hand, one object deleted, one chart-labelled leftover."""
    hpa = _find(items, "HorizontalPodAutoscaler", APP)
    hpa["spec"]["maxReplicas"] = hpa["spec"]["maxReplicas"] + 10
    items.remove(_find(items, "PodDisruptionBudget", APP))
    leftover = copy.deepcopy(_find(items, "ServiceAccount", APP))
    leftover["metadata"]["name"] = f"{APP}-legacy"
    leftover["metadata"]["uid"] = "00000000-0000-4000-8000-999999999999"
    for marks in ("annotations", "labels"):
        leftover["metadata"][marks] = {k: v for k, v in leftover["metadata"][marks].items()
                                       if "argocd" not in k and "fluxcd" not in k}
    assert leftover["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert leftover["metadata"]["labels"]["helm.sh/chart"].startswith("microservice-")
    leftover["metadata"]["labels"]["helm.sh/chart"] = "microservice-0.0.9"  # an older release
    items.append(leftover)
    return hpa


def test_a_cluster_running_the_render_has_no_drift(journey_repo, run_cli, tmp_path, prod_render):
    result, report = drift(run_cli, journey_repo, tmp_path, live_state(prod_render))
    assert (report["missing"], report["unmanaged"], report["modified"]) == ([], [], []), report
    assert result.code == 0, result
    assert report["checked"] == len(prod_render)


def test_out_of_band_change_deletion_and_leftover_are_exactly_the_drift(
        journey_repo, run_cli, tmp_path, prod_render):
    items = live_state(prod_render)
    hpa = _out_of_band(items)
    result, report = drift(run_cli, journey_repo, tmp_path, items)
    assert result.code == 1, result
    assert report["missing"] == [f"PodDisruptionBudget/marty-prod/{APP}"]
    assert report["unmanaged"] == [f"ServiceAccount/marty-prod/{APP}-legacy"]
    [modified] = report["modified"]
    assert modified["resource"] == f"HorizontalPodAutoscaler/marty-prod/{APP}"
    assert [(c["path"], c["live"]) for c in modified["changes"]] == [
        ("spec.maxReplicas", hpa["spec"]["maxReplicas"])]


def test_one_app_is_checked_alone(journey_repo, run_cli, tmp_path, prod_render):
    items = live_state(prod_render)
    _out_of_band(items)
    result, report = drift(run_cli, journey_repo, tmp_path, items, "--app", APP)
    assert result.code == 1, result
    assert report["checked"] == sum(1 for app, _ in prod_render if app == APP)
    assert report["missing"] == [f"PodDisruptionBudget/marty-prod/{APP}"]
    assert report["unmanaged"] == [f"ServiceAccount/marty-prod/{APP}-legacy"]
    assert [m["resource"] for m in report["modified"]] == [f"HorizontalPodAutoscaler/marty-prod/{APP}"]
    # Another app's live objects are neither missing nor leftovers of this one.
    other = [obj for app, obj in prod_render if app == "csca-service"]
    assert other and not any("csca-service" in line for line in report["unmanaged"])


def test_unknown_app_is_a_usage_error(journey_repo, run_cli, tmp_path, prod_render):
    live = tmp_path / "live.json"
    live.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": []}))
    result = run_cli("drift", "--env", ENV, "--live", str(live), "--app", "trust-anchr",
                     cwd=journey_repo, env=GIT_IDENTITY)
    assert result.code == 2, result
    assert "trust-anchr" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
