"""The cluster-side guardrails on the real API server: the ValidatingAdmissionPolicies and bindings
the platform-namespaces overlay renders are applied, and for each policy one object is accepted and
one is denied with the policy's message; the same objects go through `scripts/validate`, whose Rego
rule of the same name must give the same verdicts. Dev renders no digest policy, staging does: a
tag-only image is accepted in dev and denied in staging, by the server and by the Rego alike."""
from __future__ import annotations

import subprocess
import time

import pytest
import yaml

from harness import ROOT, tool_env
from server_support import validate_on_server

NAMESPACE = "guardrails-check"  # labelled like the service namespaces the bindings select
DIGEST = "@sha256:" + "a" * 64
IMAGE = "ghcr.io/marty-platform/guardrail-probe:1.0.0" + DIGEST
TEAM = {"marty.dev/team": "pki-core"}
POLICY_KINDS = ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
SETTLE_SECONDS = 60  # the policy informer catches up within seconds; never wait longer


def _workload(kind: str, name: str, labels: dict | None = None, **pod: object) -> dict:
    containers = pod.pop("containers", None) or [{"name": "app", "image": IMAGE}]
    spec = {"containers": containers, **pod}
    meta = {"name": name, "namespace": NAMESPACE, "labels": {"app": name, **TEAM, **(labels or {})}}
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
    if kind in ("Job", "CronJob"):
        spec["restartPolicy"] = "Never"
        job = {"template": template}
        if kind == "Job":
            return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": job}
        return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
                "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": job}}}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template}}


# policy -> (allowed, denied); each denied object breaks that guardrail and no other.
CASES = {
    "images.allowed-registry": (
        _workload("Deployment", "registry-allowed"),
        _workload("Pod", "registry-denied", containers=[{"name": "app",
                                                         "image": "nginx:1.27" + DIGEST}])),
    "images.digest-pinned": (
        _workload("CronJob", "digest-allowed"),
        _workload("Deployment", "digest-denied", containers=[
            {"name": "app", "image": "ghcr.io/marty-platform/guardrail-probe:1.0.0"}])),
    "pss.baseline.privileged-containers": (
        _workload("StatefulSet", "privileged-allowed", containers=[
            {"name": "app", "image": IMAGE, "securityContext": {"privileged": False}}]),
        _workload("Job", "privileged-denied", containers=[{"name": "app", "image": IMAGE}],
                  initContainers=[{"name": "setup", "image": IMAGE,
                                   "securityContext": {"privileged": True}}])),
    "pss.baseline.host-namespaces": (
        _workload("DaemonSet", "host-allowed", hostNetwork=False),
        _workload("Deployment", "host-denied", hostIPC=True)),
    "labels.team": (
        _workload("Pod", "team-allowed"),
        _workload("Deployment", "team-denied", labels={"marty.dev/team": ""})),
}


def _ref(obj: dict) -> str:
    return f"{obj['kind']}/{NAMESPACE}/{obj['metadata']['name']}"


def _admission_objects(api_server, env: str) -> list[dict]:
    """The policies and bindings of the env's platform-namespaces overlay, as rendered."""
    proc = subprocess.run([str(ROOT / "scripts" / "render"), "--env", env, "--app",
                           "platform-namespaces"], cwd=ROOT, env=tool_env(api_server.cache_dir),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d and d["kind"] in POLICY_KINDS]


def _dry_run(api_server, tmp_path, obj: dict):
    path = tmp_path / f"probe-{obj['metadata']['name']}.yaml"
    path.write_text(yaml.safe_dump(obj))
    return api_server.kubectl("create", "--dry-run=server", "-f", str(path), check=False)


def _install(api_server, tmp_path, env: str, known_denied: list[dict]) -> list[str]:
    """Apply the env's policies and bindings, then wait (boundedly) until the API server's policy
    informer enforces them: until every known-denied object is denied by its policy."""
    objects = _admission_objects(api_server, env)
    path = tmp_path / f"admission-{env}.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    api_server.kubectl("apply", "--server-side", "--force-conflicts",
                       "--field-manager=guardrail-test", "-f", str(path))
    deadline = time.monotonic() + SETTLE_SECONDS
    pending = list(known_denied)
    while pending and time.monotonic() < deadline:
        pending = [o for o in pending
                   if "ValidatingAdmissionPolicy" not in _dry_run(api_server, tmp_path, o).stderr]
        if pending:
            time.sleep(0.5)
    assert not pending, f"not enforced after {SETTLE_SECONDS}s: {[_ref(o) for o in pending]}"
    return sorted(o["metadata"]["name"] for o in objects if o["kind"] == POLICY_KINDS[0])


@pytest.fixture
def guarded_namespace(api_server, tmp_path):
    """A namespace the bindings select (no Pod Security labels: only the guardrails judge), with
    its default ServiceAccount; the policies are removed afterwards, so the other tests on this
    worker's server see none."""
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": NAMESPACE, "labels": {"marty.dev/guardrails": "enforced"}}}
    account = {"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "default", "namespace": NAMESPACE}}
    path = tmp_path / "namespace.yaml"
    path.write_text(yaml.safe_dump_all([namespace, account]))
    api_server.kubectl("apply", "--server-side", "--field-manager=guardrail-test", "-f", str(path))
    yield
    for kind in reversed(POLICY_KINDS):
        api_server.kubectl("delete", kind.lower(), "-l",
                           "app.kubernetes.io/component=admission-policy", "--wait=false")


def _verdicts(api_server, env: str, directory, policies) -> tuple[dict, dict]:
    """Per object: the policies the server denied it with, and the Rego rules of those names
    that denied it, from one `scripts/validate --server` run."""
    outcome = validate_on_server(api_server, "--env", env, str(directory))
    assert outcome.code in (0, 1), outcome.stderr
    server, rego = {}, {}
    for allowed, denied in CASES.values():
        for obj in (allowed, denied):
            ref = _ref(obj)
            rejected = [f["message"] for f in outcome.findings(check="server", resource=ref)
                        if f["rule"] == "rejected"]
            server[ref] = sorted(p for p in policies
                                 if any(f"ValidatingAdmissionPolicy '{p}'" in m for m in rejected))
            assert len(rejected) == len(server[ref]), (ref, rejected)
            rego[ref] = sorted({f["rule"] for f in outcome.findings(check="policy", resource=ref)}
                               & set(CASES))
    return server, rego


def _stage(directory) -> None:
    for allowed, denied in CASES.values():
        for obj in (allowed, denied):
            (directory / f"{obj['metadata']['name']}.yaml").write_text(yaml.safe_dump(obj))


def test_each_guardrail_allows_and_denies_like_its_rego_rule(api_server, guarded_namespace,
                                                            tmp_path):
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    _stage(manifests)

    # dev: every guardrail but the digest one
    dev_denied = [denied for name, (_, denied) in CASES.items() if name != "images.digest-pinned"]
    policies = _install(api_server, tmp_path, "dev", dev_denied)
    assert policies == sorted(set(CASES) - {"images.digest-pinned"})
    server, rego = _verdicts(api_server, "dev", manifests, set(CASES))
    expected = {_ref(o): [] for pair in CASES.values() for o in pair}
    expected |= {_ref(denied): [name] for name, (_, denied) in CASES.items()
                 if name != "images.digest-pinned"}
    assert server == expected
    assert rego == expected

    # staging (images.requireDigest): the digest guardrail too
    policies = _install(api_server, tmp_path, "staging", [CASES["images.digest-pinned"][1]])
    assert policies == sorted(CASES)
    server, rego = _verdicts(api_server, "staging", manifests, set(CASES))
    expected[_ref(CASES["images.digest-pinned"][1])] = ["images.digest-pinned"]
    assert server == expected
    assert rego == expected


def test_a_denial_names_the_policy_and_what_to_change(api_server, guarded_namespace, tmp_path):
    _install(api_server, tmp_path, "staging", [denied for _, denied in CASES.values()])
    messages = {name: _dry_run(api_server, tmp_path, denied).stderr
                for name, (_, denied) in CASES.items()}
    registry = messages["images.allowed-registry"]
    assert "ValidatingAdmissionPolicy 'images.allowed-registry'" in registry
    assert f"nginx:1.27{DIGEST} not from an allowed registry" in registry
    assert "ghcr.io/marty-platform/" in registry
    assert "ghcr.io/marty-platform/guardrail-probe:1.0.0 not pinned by digest" in \
        messages["images.digest-pinned"]
    assert "container(s) setup set securityContext.privileged: true" in \
        messages["pss.baseline.privileged-containers"]
    assert "the pod sets hostIPC: true" in messages["pss.baseline.host-namespaces"]
    assert 'missing owner label marty.dev/team' in messages["labels.team"]
    for name, allowed_and_denied in CASES.items():
        assert _dry_run(api_server, tmp_path, allowed_and_denied[0]).returncode == 0, name


@pytest.mark.parametrize("mode", [(), ("--server-side",)], ids=["table", "server-side"])
def test_applied_policies_show_no_drift(api_server, guarded_namespace, tmp_path, mode):
    """What the overlay renders is what the server stores: `scripts/drift` finds the live policies
    and bindings (their managed-by label) and sees no difference (the server's defaults are
    written out)."""
    _install(api_server, tmp_path, "staging", [denied for _, denied in CASES.values()])
    proc = subprocess.run([str(ROOT / "scripts" / "drift"), "--env", "staging", "--app",
                           "platform-namespaces", "--kubeconfig", str(api_server.kubeconfig),
                           "--format", "json", *mode], cwd=ROOT,
                          env=tool_env(api_server.cache_dir), capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    report = yaml.safe_load(proc.stdout)
    found = [r for r in report["missing"] + report["unmanaged"]
             + [d["resource"] for d in report["modified"]]
             if r.split("/")[0] in POLICY_KINDS]
    assert found == []
