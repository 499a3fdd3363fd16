"""catalog/platform-controllers.yaml becomes, in every env, Argo CD Applications and Flux
HelmReleases at the pinned chart versions, ordered before the platform overlays; a data file
that cannot be delivered stops `scripts/generate` and is a finding at its line."""
from __future__ import annotations

import pytest
import yaml

from harness import ROOT

DATA = yaml.safe_load((ROOT / "catalog" / "platform-controllers.yaml").read_text())
CONTROLLERS = DATA["controllers"]
ENVS = ("dev", "staging", "prod")
PLATFORM_NAMESPACES_WAVE = -20


def _docs(path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.mark.parametrize("env", ENVS)
def test_argo_cd_installs_every_controller_pinned_and_in_order(env):
    apps = {d["metadata"]["name"].removeprefix(f"{env}-"): d
            for d in _docs(ROOT / "gitops" / "argocd" / env / "controllers.yaml")
            if d["kind"] == "Application"}
    expected = {n for n, c in CONTROLLERS.items() if "argocd" in c.get("engines", ["argocd"])}
    assert set(apps) == expected
    for name, app in apps.items():
        chart = app["spec"]["sources"][0]
        assert (chart["repoURL"], chart["chart"], chart["targetRevision"]) == tuple(
            CONTROLLERS[name]["chart"][k] for k in ("repository", "name", "version"))
        assert all(f.startswith(f"$values/gitops/controllers/{name}/")
                   for f in chart["helm"]["valueFiles"])
        wave = int(app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
        assert wave < PLATFORM_NAMESPACES_WAVE
        for dependency in CONTROLLERS[name].get("dependsOn", []):
            assert int(apps[dependency]["metadata"]["annotations"][
                "argocd.argoproj.io/sync-wave"]) < wave
        assert ("automated" in app["spec"]["syncPolicy"]) == (env != "prod")


@pytest.mark.parametrize("env", ENVS)
def test_flux_installs_every_controller_pinned_and_waits_for_them(env):
    docs = _docs(ROOT / "gitops" / "flux" / env / "controllers.yaml")
    releases = {d["metadata"]["name"]: d for d in docs if d["kind"] == "HelmRelease"}
    expected = {n for n, c in CONTROLLERS.items() if "flux" in c.get("engines", ["flux"])}
    assert set(releases) == expected
    for name, release in releases.items():
        assert release["spec"]["chart"]["spec"]["version"] == CONTROLLERS[name]["chart"]["version"]
        assert [d["name"] for d in release["spec"].get("dependsOn", [])] == \
            CONTROLLERS[name].get("dependsOn", [])
    kustomizations = {d["metadata"]["name"]: d for d in
                      _docs(ROOT / "gitops" / "flux" / env / "kustomizations.yaml")}
    checked = {c["name"] for c in kustomizations["gitops-flux"]["spec"]["healthChecks"]}
    assert checked == expected
    assert kustomizations["platform-namespaces"]["spec"]["dependsOn"] == [{"name": "gitops-flux"}]


def test_prometheus_and_grafana_values_carry_the_observability_contract():
    prometheus = yaml.safe_load((ROOT / "gitops/controllers/kube-prometheus-stack/values.yaml")
                                .read_text())["prometheus"]["prometheusSpec"]
    assert prometheus["enableFeatures"] == ["exemplar-storage"]
    grafana = yaml.safe_load((ROOT / "gitops/controllers/grafana/values.yaml").read_text())
    sources = {d["uid"]: d for d in grafana["datasources"]["datasources.yaml"]["datasources"]}
    assert set(sources) == {"prometheus", "jaeger"}
    assert sources["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0][
        "datasourceUid"] == "jaeger"
    assert sources["jaeger"]["jsonData"]["tracesToMetrics"]["datasourceUid"] == "prometheus"


def test_a_dependency_cycle_stops_generate(run_cli, repo_copy):
    path = repo_copy / "catalog" / "platform-controllers.yaml"
    path.write_text(path.read_text().replace(
        "    namespace: istio-system\n    serves:",
        "    namespace: istio-system\n    dependsOn: [istio-ingressgateway]\n    serves:", 1))
    outcome = run_cli("generate", cwd=repo_copy)
    assert outcome.code == 2
    assert "catalog/platform-controllers.yaml: dependency cycle istio-base -> " in outcome.stderr


def test_a_chart_version_range_is_a_finding_at_its_line(run_cli, repo_copy):
    path = repo_copy / "catalog" / "platform-controllers.yaml"
    text = path.read_text()
    path.write_text(text.replace("name: velero, version: 8.2.0}", "name: velero, version: ^8}"))
    outcome = run_cli("validate", "--format", "json", "catalog/platform-controllers.yaml",
                      cwd=repo_copy)
    [found] = outcome.findings(check="schema", rule="platform-controllers")
    assert found["file"] == "catalog/platform-controllers.yaml"
    assert found["line"] == 1 + text.splitlines().index(
        "    chart: {repository: https://vmware-tanzu.github.io/helm-charts, name: velero, "
        "version: 8.2.0}")
