"""`scripts/validate --server` on the real API server: the committed tree dry-runs clean, and
objects kubeconform accepts but the server refuses are `server` findings naming the object."""
from __future__ import annotations

import json

import pytest
import yaml

from harness import Outcome
from server_support import validate_on_server

NAMESPACE = "marty-dev"
LABELS = {"app.kubernetes.io/name": "mutant"}
# Pod Security restricted, so the mutants differ from a good object only by their flaw.
SECURE_CONTAINER = {
    "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True,
                        "capabilities": {"drop": ["ALL"]},
                        "seccompProfile": {"type": "RuntimeDefault"}},
}


def _container(name: str = "app", **extra) -> dict:
    return {"name": name, "image": "ghcr.io/marty-platform/mutant:1.0.0", **SECURE_CONTAINER,
            **extra}


def _deployment(name: str, containers: list[dict], selector: dict | None = None) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": LABELS},
            "spec": {"replicas": 1, "selector": {"matchLabels": selector or LABELS},
                     "template": {"metadata": {"labels": LABELS},
                                  "spec": {"containers": containers}}}}


MUTANTS = {
    "selector-mismatch": _deployment("selector-mismatch", [_container()],
                                     selector={"app.kubernetes.io/name": "other"}),
    "invalid-label-value": {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "invalid-label-value", "namespace": NAMESPACE,
                                         "labels": {"team": "trust services"}},
                            "data": {"a": "b"}},
    "bad-quantity": _deployment("bad-quantity", [_container(
        resources={"limits": {"cpu": "1.5.5", "memory": "64Mi"}})]),
    "duplicate-container": _deployment("duplicate-container", [_container(), _container()]),
    "nodeport-on-clusterip": {"apiVersion": "v1", "kind": "Service",
                              "metadata": {"name": "nodeport-on-clusterip",
                                           "namespace": NAMESPACE},
                              "spec": {"type": "ClusterIP", "selector": LABELS,
                                       "ports": [{"port": 80, "nodePort": 30080}]}},
    "long-port-name": _deployment("long-port-name", [_container(
        ports=[{"name": "metrics-endpoint-http", "containerPort": 9090}])]),
}


def test_every_overlay_of_every_env_dry_runs_without_rejection(api_server):
    outcome = validate_on_server(api_server, "overlays/dev/", "overlays/staging/", "overlays/prod/")
    assert outcome.code in (0, 1), outcome.stderr
    assert outcome.findings(check="server", rule="rejected") == []
    assert outcome.findings(check="server", rule="pod-security-disagrees") == []
    assert "internal-error" not in {f["rule"] for f in outcome.json["findings"]}
    # every env's objects went to the server: nothing was skipped on the way
    by_env = outcome.json["stats"]["by_env"]
    for env in ("dev", "staging", "prod"):
        assert by_env[env]["server"]["checked"] > 20, by_env[env]


@pytest.fixture(scope="module")
def mutant_outcome(api_server, tmp_path_factory) -> Outcome:
    directory = tmp_path_factory.mktemp("mutants")
    for name, obj in MUTANTS.items():
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(obj))
    return validate_on_server(api_server, "--env", "dev", str(directory))


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_a_server_finding_and_no_schema_finding(mutant_outcome, name):
    obj = MUTANTS[name]
    resource = f"{obj['kind']}/{NAMESPACE}/{name}"
    assert mutant_outcome.code == 1, mutant_outcome.stderr
    rejected = mutant_outcome.findings(check="server", rule="rejected", resource=resource)
    assert len(rejected) == 1, json.dumps(mutant_outcome.findings(check="server"), indent=1)
    assert rejected[0]["file"].endswith(f"{name}.yaml")
    assert mutant_outcome.findings(check="kubeconform", resource=resource) == []


def test_custom_resource_with_an_unknown_field_is_rejected(api_server, tmp_path):
    """The CRDs built from schemas/crds are structural: strict field validation refuses a field
    their schema does not have (kubeconform -strict does too; here the server proves it)."""
    monitor = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
               "metadata": {"name": "unknown-field", "namespace": NAMESPACE},
               "spec": {"selector": {"matchLabels": LABELS}, "endpoints": [{"port": "http"}],
                        "scrapeEverything": True}}
    (tmp_path / "monitor.yaml").write_text(yaml.safe_dump(monitor))
    outcome = validate_on_server(api_server, "--env", "dev", str(tmp_path / "monitor.yaml"))
    [rejected] = outcome.findings(check="server", rule="rejected",
                                  resource=f"ServiceMonitor/{NAMESPACE}/unknown-field")
    assert "scrapeEverything" in rejected["message"]


def test_pod_security_verdicts_of_policies_and_admission_agree(api_server, tmp_path):
    """A privileged workload on the host network: the server's Pod Security admission warns (the
    namespace is `warn: restricted` from env.yaml), the Rego policies deny it, and since both say
    "denied" there is no disagreement; a compliant one is allowed by both."""
    privileged = _deployment("privileged", [_container(securityContext={"privileged": True})])
    privileged["spec"]["template"]["spec"]["hostNetwork"] = True
    compliant = _deployment("compliant", [_container()])
    compliant["spec"]["template"]["spec"]["securityContext"] = {"runAsNonRoot": True}
    for obj in (privileged, compliant):
        (tmp_path / f"{obj['metadata']['name']}.yaml").write_text(yaml.safe_dump(obj))
    outcome = validate_on_server(api_server, "--env", "dev", str(tmp_path))
    resource = f"Deployment/{NAMESPACE}/privileged"
    [warning] = outcome.findings(check="server", rule="warning", resource=resource)
    assert "would violate PodSecurity" in warning["message"] and "privileged" in warning["message"]
    rego = {f["rule"] for f in outcome.findings(check="policy", resource=resource)}
    assert {"pss.baseline.privileged-containers", "pss.baseline.host-namespaces"} <= rego
    assert outcome.findings(check="server", rule="pod-security-disagrees") == []
    assert outcome.findings(check="server", resource=f"Deployment/{NAMESPACE}/compliant") == []
