"""Drift against the real API server: an env applied by `scripts/cluster apply` has no drift,
in table mode and in server-side mode (defaults from a dry-run apply); four out-of-band changes
are reported as exactly those four."""
from __future__ import annotations

import subprocess

from harness import ROOT, Outcome, tool_env

ENV, APP, NAMESPACE = "dev", "trust-anchor", "marty-dev"
MODES = ((), ("--server-side",))  # table defaults, then the server's dry-run


def _scripts(api_server, command: str, *args: str) -> Outcome:
    proc = subprocess.run([str(ROOT / "scripts" / command), *args], cwd=ROOT,
                          env=tool_env(api_server.cache_dir), capture_output=True, text=True,
                          timeout=900, check=False)
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def _drift(api_server, *extra: str) -> Outcome:
    return _scripts(api_server, "drift", "--env", ENV, "--app", APP, "--kubeconfig",
                    str(api_server.kubeconfig), "--format", "json", *extra)


def _summary(outcome: Outcome) -> tuple[list, list, list]:
    report = outcome.json
    return (sorted(report["missing"]), sorted(report["unmanaged"]),
            sorted(d["resource"] for d in report["modified"]))


def test_applied_env_has_no_drift_until_four_changes_out_of_band(api_server):
    """One test, in order: the changes must come after the clean comparisons."""
    outcome = _scripts(api_server, "cluster", "apply", "--dir", str(api_server.directory),
                       "--env", ENV, "--app", APP)
    assert outcome.code == 0, outcome.stderr
    for mode in MODES:
        outcome = _drift(api_server, *mode)
        assert (outcome.code, _summary(outcome)) == (0, ([], [], [])), \
            (mode, outcome.stdout + outcome.stderr)

    kubectl = api_server.kubectl
    deployment = kubectl("get", "deployment", "-n", NAMESPACE, "-l",
                         f"app.kubernetes.io/instance={APP}", "-o", "name").stdout.split()
    assert deployment == [f"deployment.apps/{APP}"]
    chart = kubectl("get", "service", APP, "-n", NAMESPACE, "-o",
                    "jsonpath={.metadata.labels.helm\\.sh/chart}").stdout
    assert chart.startswith("microservice-")
    kubectl("scale", "deployment", APP, "-n", NAMESPACE, "--replicas=3")
    kubectl("label", "serviceaccount", APP, "-n", NAMESPACE,
            "app.kubernetes.io/part-of=elsewhere", "--overwrite")
    kubectl("delete", "service", APP, "-n", NAMESPACE, "--wait=false")
    kubectl("create", "configmap", "leftover", "-n", NAMESPACE)
    kubectl("label", "configmap", "leftover", "-n", NAMESPACE, f"helm.sh/chart={chart}",
            f"app.kubernetes.io/instance={APP}")
    expected = ([f"Service/{NAMESPACE}/{APP}"], [f"ConfigMap/{NAMESPACE}/leftover"],
                sorted([f"Deployment/{NAMESPACE}/{APP}", f"ServiceAccount/{NAMESPACE}/{APP}"]))
    for mode in MODES:
        outcome = _drift(api_server, *mode)
        assert outcome.code == 1, outcome.stderr
        assert _summary(outcome) == expected, (mode, outcome.stdout)


def test_applied_cluster_scoped_objects_without_the_managed_by_label_are_found(api_server):
    """The env's Namespace carries no managed-by label and no spec: drift reads the cluster-scoped
    objects git declares by name, so an applied Namespace is neither missing nor modified (the
    server's spec.finalizers is a default)."""
    app = "platform-namespaces"
    outcome = _scripts(api_server, "cluster", "apply", "--dir", str(api_server.directory),
                       "--env", ENV, "--app", app)
    try:
        assert outcome.code == 0, outcome.stderr
        for mode in MODES:
            outcome = _scripts(api_server, "drift", "--env", ENV, "--app", app, "--kubeconfig",
                               str(api_server.kubeconfig), "--format", "json", *mode)
            assert (outcome.code, _summary(outcome)) == (0, ([], [], [])), \
                (mode, outcome.stdout + outcome.stderr)
    finally:
        # The overlay delivers the cluster's admission policies: the other tests on this
        # worker's server must not meet them.
        api_server.kubectl("delete", "validatingadmissionpolicybindings",
                           "-l", "app.kubernetes.io/component=admission-policy")
        api_server.kubectl("delete", "validatingadmissionpolicies",
                           "-l", "app.kubernetes.io/component=admission-policy")
