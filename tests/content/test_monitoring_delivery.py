"""monitoring/ reaches the clusters through overlays/<env>/platform-monitoring, from one source:
rules as PrometheusRules, dashboards and the Alertmanager config as ConfigMaps, the collector as
an OpenTelemetryCollector; and every service is wired to that collector."""
from __future__ import annotations

import json

import pytest
import yaml
from content_helpers import ROOT, by_kind, kustomize_build, one

from marty_platform.generators import monitoring_delivery, prometheus_rules
from marty_platform.monitoring.layout import rule_files

ENVS = ("dev", "staging", "prod")


def build(env: str, app: str = "platform-monitoring"):
    return kustomize_build(ROOT / "overlays" / env / app)


def test_every_rule_file_is_one_prometheus_rule_with_its_groups_unchanged():
    objs = build("prod")
    rules = {o["metadata"]["name"]: o for o in by_kind(objs, "PrometheusRule")}
    sources = rule_files(ROOT)
    assert len(rules) == len(sources) and len(sources) > 11
    for source in sources:
        rule = rules[source.stem]
        assert rule["spec"]["groups"] == yaml.safe_load(source.read_text())["groups"], source
        labels = rule["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "marty" and labels["marty.dev/team"]
    assert rules["slo-trust-anchor"]["metadata"]["labels"]["marty.dev/team"] == "pki-core"
    assert "GENERATED from monitoring/rules/kafka.yaml" in (
        ROOT / prometheus_rules.OUT_DIR / "kafka.yaml").read_text()


def test_no_rule_group_or_recording_is_delivered_twice():
    groups = [g["name"] for o in by_kind(build("prod"), "PrometheusRule")
              for g in o["spec"]["groups"]]
    assert len(groups) == len(set(groups))


@pytest.mark.parametrize("env", ENVS)
def test_monitoring_namespace_is_restricted_and_default_deny(env):
    objs = build(env)
    namespace = one(objs, "Namespace")
    assert namespace["metadata"]["name"] == "monitoring"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert all(o["metadata"].get("namespace") == "monitoring" for o in objs
               if o["kind"] != "Namespace")
    deny = [p for p in by_kind(objs, "NetworkPolicy") if p["spec"]["podSelector"] == {}
            and p["spec"]["policyTypes"] == ["Ingress"] and not p["spec"].get("ingress")]
    assert deny
    assert "monitoring" in yaml.safe_load(
        (ROOT / "overlays" / env / "env.yaml").read_text())["namespaces"]


@pytest.mark.parametrize("env", ENVS)
def test_collector_config_is_the_env_source_file(env):
    collector = one(build(env), "OpenTelemetryCollector")
    assert collector["apiVersion"] == "opentelemetry.io/v1beta1"
    source = ROOT / "monitoring" / "otel" / f"collector-{env}.yaml"
    assert collector["spec"]["config"] == yaml.safe_load(source.read_text())
    assert collector["spec"]["mode"] == "deployment" and collector["spec"]["replicas"] == 1
    assert collector["metadata"]["name"] == monitoring_delivery.COLLECTOR_NAME


def test_dashboards_are_configmaps_and_alertmanager_config_is_chart_values():
    objs = build("staging")
    maps = {o["metadata"]["name"]: o for o in by_kind(objs, "ConfigMap")}
    dashboards = sorted((ROOT / "monitoring" / "dashboards").glob("*.json"))
    for path in dashboards:
        cm = maps[f"grafana-dashboard-{path.stem}"]
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert json.loads(cm["data"][path.name]) == json.loads(path.read_text())
    # The Alertmanager configuration is delivered as kube-prometheus-stack values, not as a
    # ConfigMap nothing mounts.
    assert "alertmanager-marty" not in maps
    values = yaml.safe_load((ROOT / "gitops" / "controllers" / "kube-prometheus-stack" /
                             "alertmanager.yaml").read_text())["alertmanager"]
    config = yaml.safe_load((ROOT / "monitoring" / "alertmanager" / "alertmanager.yaml").read_text())
    assert values["config"]["route"] == config["route"]
    assert values["config"]["receivers"] == config["receivers"]
    assert values["config"]["templates"] == ["/etc/alertmanager/config/*.tmpl"]
    assert values["templateFiles"]["marty.tmpl"] == (
        ROOT / "monitoring" / "alertmanager" / "templates" / "marty.tmpl").read_text()
    assert not by_kind(objs, "Secret"), "receiver secrets come from an ExternalSecret"
    assert one(objs, "ExternalSecret")["spec"]["target"]["name"] == "alertmanager-secrets"


@pytest.mark.parametrize("env", ENVS)
def test_services_export_otlp_to_the_collector(env):
    objs = build(env, "trust-anchor")
    workload = (by_kind(objs, "Rollout") or by_kind(objs, "Deployment"))[0]
    container = workload["spec"]["template"]["spec"]["containers"][0]
    variables = {e["name"]: e.get("value") for e in container["env"]}
    assert variables["OTEL_EXPORTER_OTLP_ENDPOINT"] == \
        "http://otel-collector.monitoring.svc.cluster.local:4317"
    attributes = dict(a.split("=", 1) for a in variables["OTEL_RESOURCE_ATTRIBUTES"].split(","))
    assert attributes["service.name"] == "trust-anchor"
    assert attributes["service.namespace"] == "marty"
    assert attributes["deployment.environment"] == env
    policy = one(objs, "NetworkPolicy")
    if "Egress" in policy["spec"]["policyTypes"]:
        assert any(peer.get("podSelector", {}).get("matchLabels", {}).get(
            "app.kubernetes.io/component") == "opentelemetry-collector"
            for rule in policy["spec"]["egress"] for peer in rule["to"])


def test_generated_delivery_files_carry_a_header():
    for rel in [*prometheus_rules.outputs(ROOT), *monitoring_delivery.outputs(ROOT)]:
        assert (ROOT / rel).read_text().startswith("# GENERATED from "), rel
