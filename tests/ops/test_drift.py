import copy
import json
import os

from ops_support import FIXTURES

LIVE = json.loads((FIXTURES / "live-dev.json").read_text())


def _live(tmp_path, mutate=None):
    data = copy.deepcopy(LIVE)
    if mutate:
        mutate({(i["kind"], i["metadata"]["name"]): i for i in data["items"]}, data["items"])
    path = tmp_path / "live.json"
    path.write_text(json.dumps(data))
    return path


def _drift(cli, tree, live, *extra):
    result = cli(tree, "drift", "--env", "dev", "--live", str(live), "--format", "json", *extra)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_server_defaults_status_and_metadata_are_not_drift(tree, cli, tmp_path):
    result, report = _drift(cli, tree, _live(tmp_path))
    assert result.code == 0, result
    assert report["drift"] is False and report["checked"] == 3


def test_modified_missing_unmanaged(tree, cli, tmp_path):
    def mutate(by_key, items):
        deployment = by_key[("Deployment", "web")]
        deployment["spec"]["replicas"] = 4
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["env"][0]["value"] = "trace"
        container["env"].append({"name": "DB_PASSWORD", "value": "hunter2-hunter2"})
        items.remove(by_key[("ServiceAccount", "web")])
        items.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": "web-hotfix", "namespace": "marty-dev", "uid": "u", "resourceVersion": "9",
            "labels": {"app.kubernetes.io/managed-by": "kustomize"}}, "data": {"a": "b"}})
        items.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": "other-team", "namespace": "marty-dev",
            "labels": {"app.kubernetes.io/managed-by": "Helm"}}, "data": {}})

    result, report = _drift(cli, tree, _live(tmp_path, mutate))
    assert result.code == 1, result
    assert report["missing"] == ["ServiceAccount/marty-dev/web"]
    assert report["unmanaged"] == ["ConfigMap/marty-dev/web-hotfix"]
    [modified] = report["modified"]
    changes = {c["path"]: (c["git"], c["live"]) for c in modified["changes"]}
    assert changes["spec.replicas"] == (1, 4)
    assert changes["spec.template.spec.containers[web].env[LOG_LEVEL].value"] == ("debug", "trace")
    added = changes["spec.template.spec.containers[web].env[DB_PASSWORD]"]
    assert "hunter2" not in json.dumps(added) and "<redacted:" in json.dumps(added)
    assert len(changes) == 3
    assert "hunter2" not in result.stdout


def test_hpa_replicas_and_injected_sidecars_are_ignored(tree, cli, tmp_path):
    hpa = tree / "overlays" / "dev" / "web" / "hpa.yaml"
    hpa.write_text("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
                   "  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n"
                   "    kind: Deployment\n    name: web\n  minReplicas: 1\n  maxReplicas: 5\n")
    kustomization = tree / "overlays" / "dev" / "web" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "  - ../../../base/web\n", "  - ../../../base/web\n  - hpa.yaml\n"))

    def mutate(by_key, items):
        deployment = by_key[("Deployment", "web")]
        deployment["spec"]["replicas"] = 5
        pod = deployment["spec"]["template"]["spec"]
        pod["containers"].append({"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.0"})
        pod["initContainers"] = [{"name": "istio-init", "image": "docker.io/istio/proxyv2:1.22.0"}]
        pod["volumes"].append({"name": "istio-envoy", "emptyDir": {"medium": "Memory"}})
        items.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                      "metadata": {"name": "web", "namespace": "marty-dev", "uid": "h",
                                   "labels": {"app.kubernetes.io/version": "1.5.0-rc.1"}},
                      "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                  "name": "web"},
                               "minReplicas": 1, "maxReplicas": 5,
                               "metrics": [{"type": "Resource", "resource": {
                                   "name": "cpu", "target": {"type": "Utilization",
                                                             "averageUtilization": 80}}}]},
                      "status": {"currentReplicas": 5, "desiredReplicas": 5}})

    result, report = _drift(cli, tree, _live(tmp_path, mutate))
    # The HPA's metrics are server-defaulted (autoscaling/v2 defaults to 80% CPU): not drift either.
    assert report is not None, result
    assert result.code == 0, result
    assert report["modified"] == [] and report["unmanaged"] == []


def test_ignore_rules_from_config(tree, cli, tmp_path):
    def mutate(by_key, items):
        by_key[("Service", "web")]["metadata"].setdefault("annotations", {})[
            "cloud.example.com/lb-id"] = "lb-123"

    result, _ = _drift(cli, tree, _live(tmp_path, mutate))
    assert result.code == 1, result
    config = tree / "config" / "drift-ignore.yaml"
    config.write_text(config.read_text() + "  - kind: Service\n    reason: set by the cloud\n"
                      "    jsonPointers: [/metadata/annotations/cloud.example.com~1lb-id]\n")
    result, _ = _drift(cli, tree, _live(tmp_path, mutate))
    assert result.code == 0, result
    config.write_text(config.read_text() + "  - kind: Service\n    jsonPointers: [nope]\n")
    result, _ = _drift(cli, tree, _live(tmp_path, mutate))
    assert result.code == 2 and "drift ignore rules" in result.stderr


def test_without_kubectl_or_live_file_exit_2(tree, cli, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink("/usr/bin/env", bin_dir / "env")
    result = cli(tree, "drift", "--env", "dev", env={"PATH": str(bin_dir)})
    assert result.code == 2, result
    assert "kubectl is not installed" in result.stderr and "--live" in result.stderr
