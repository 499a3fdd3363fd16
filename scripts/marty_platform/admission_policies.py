"""The guardrails that also hold in the cluster, as ValidatingAdmissionPolicies (CEL) and their
bindings, built from the data the Rego rules of the same name read:

| policy (= Rego rule id)               | data                                                    |
|---------------------------------------|---------------------------------------------------------|
| images.allowed-registry               | policies/data/guardrails.yaml `marty.allowed_registries` |
| images.digest-pinned                  | overlays/<env>/env.yaml `images.requireDigest`          |
| pss.baseline.privileged-containers    |                                                         |
| pss.baseline.host-namespaces          |                                                         |
| labels.team                           | policies/data/guardrails.yaml `marty.team_label`        |

Each checks what its Rego rule checks, on the pod spec of a Pod, of a workload's pod template
(Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Argo
Rollout), in the namespaces that carry GUARDED_LABEL (the env's service namespace,
base/platform/namespaces), never in the system namespaces nor the platform controllers' own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from marty_platform.catalog import controllers as catalog_controllers
from marty_platform.errors import UsageError
from marty_platform.yamlio import load_config

GUARDRAILS_DATA = "policies/data/guardrails.yaml"
GUARDED_LABEL = ("marty.dev/guardrails", "enforced")
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
# The GitOps engines apply this repo's objects: their requests are checked like anyone's.
DELIVERY_KINDS = ("argoproj.io/Application", "kustomize.toolkit.fluxcd.io/Kustomization")
# What a denial does: Deny refuses the request. ["Warn"] (kubectl prints the message) or
# ["Audit"] (the audit log records it) let a new rule be observed before it is enforced.
VALIDATION_ACTIONS = ["Deny"]

WORKLOADS = [
    {"apiGroups": [""], "apiVersions": ["v1"],
     "resources": ["pods", "pods/ephemeralcontainers", "replicationcontrollers"]},
    {"apiGroups": ["apps"], "apiVersions": ["v1"],
     "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"]},
    {"apiGroups": ["batch"], "apiVersions": ["v1"], "resources": ["jobs", "cronjobs"]},
    {"apiGroups": ["argoproj.io"], "apiVersions": ["v1alpha1"], "resources": ["rollouts"]},
]

# The pod spec of every matched kind (a Pod is its own template).
POD_SPEC = ("object.kind == 'Pod' ? object.spec"
            " : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec"
            " : object.spec.template.spec")
HAS_POD_SPEC = ("object.kind == 'Pod' || (object.kind == 'CronJob'"
                " ? has(object.spec.jobTemplate.spec.template.spec)"
                " : has(object.spec.template) && has(object.spec.template.spec))")
CONTAINER_FIELDS = ("containers", "initContainers", "ephemeralContainers")


def _each_container(project: str) -> str:
    """CEL: `project` (an expression over container `c`) of every container, init and
    ephemeral container of the pod spec, as one list."""
    parts = [f"(has(variables.podSpec.{f}) ? variables.podSpec.{f}.{project} : [])"
             for f in CONTAINER_FIELDS]
    return " + ".join(parts)


def _cel_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _normalized(image: str) -> str:
    """CEL: the image reference with docker.io's defaults made explicit, as the Rego's
    `normalized` ("nginx" -> "docker.io/library/nginx", "bitnami/x" -> "docker.io/bitnami/x")."""
    first = f"{image}.split('/')[0]"
    return (f"(!{image}.contains('/') ? 'docker.io/library/' + {image}"
            f" : ({first}.contains('.') || {first}.contains(':') || {first} == 'localhost')"
            f" ? {image} : 'docker.io/' + {image})")


@dataclass(frozen=True)
class Guardrail:
    name: str  # the Rego rule id, and the name of the policy and its binding
    summary: str
    variables: tuple[tuple[str, str], ...]  # (name, CEL) after podSpec
    expression: str
    message: str  # static, when the messageExpression cannot be evaluated
    message_expression: str


def _images() -> tuple[str, str]:
    return ("images", _each_container("filter(c, has(c.image)).map(c, c.image)"))


def always_on(registries: list[str], team_label: str) -> list[Guardrail]:
    """The guardrails every env enforces."""
    allowed = _cel_list(registries)
    listed = ", ".join(registries)
    return [
        Guardrail(
            "images.allowed-registry",
            "Images come from an allowed registry (policies/data/guardrails.yaml).",
            (_images(), ("disallowed", f"variables.images.filter(i, !{allowed}.exists(p, "
                                       f"{_normalized('i')}.startsWith(p)))")),
            "size(variables.disallowed) == 0",
            f"an image is not from an allowed registry; mirror it to one of {listed}",
            f"'image(s) ' + variables.disallowed.join(', ') + ' not from an allowed registry; "
            f"mirror them to one of {listed} (policies/data/guardrails.yaml)'"),
        Guardrail(
            "pss.baseline.privileged-containers",
            "No container sets securityContext.privileged: true.",
            (("privileged", _each_container(
                "filter(c, has(c.securityContext) && has(c.securityContext.privileged)"
                " && c.securityContext.privileged).map(c, c.name)")),),
            "size(variables.privileged) == 0",
            "a container sets securityContext.privileged: true; remove it or set it to false",
            "'container(s) ' + variables.privileged.join(', ') + ' set securityContext.privileged:"
            " true; remove it or set it to false'"),
        Guardrail(
            "pss.baseline.host-namespaces",
            "hostNetwork, hostPID and hostIPC are unset or false.",
            (("hostNamespaces", " + ".join(
                f"(has(variables.podSpec.{f}) && variables.podSpec.{f} ? ['{f}'] : [])"
                for f in ("hostNetwork", "hostPID", "hostIPC"))),),
            "size(variables.hostNamespaces) == 0",
            "the pod shares a host namespace; remove hostNetwork, hostPID and hostIPC",
            "'the pod sets ' + variables.hostNamespaces.join(', ') + ': true; remove the host "
            "namespace fields and expose ports through a Service'"),
        Guardrail(
            "labels.team",
            f"Every workload carries a non-empty {team_label} label.",
            (),
            f"has(object.metadata.labels) && {json.dumps(team_label)} in object.metadata.labels"
            f" && object.metadata.labels[{json.dumps(team_label)}] != ''",
            f"missing owner label {team_label}; add it to metadata.labels naming the owning team",
            f"'missing owner label {team_label}; add metadata.labels[\"{team_label}\"] naming "
            "the owning team'"),
    ]


def digest_pinned() -> Guardrail:
    """Only in the envs whose env.yaml sets images.requireDigest."""
    return Guardrail(
        "images.digest-pinned",
        "Every image is pinned by @sha256: digest (env.yaml images.requireDigest).",
        (_images(), ("undigested", "variables.images.filter(i, !i.contains('@sha256:'))")),
        "size(variables.undigested) == 0",
        "an image is not pinned by digest; pin a digest with `scripts/release` and promote it",
        "'image(s) ' + variables.undigested.join(', ') + ' not pinned by digest, which this "
        "env requires (images.requireDigest); pin a digest with `scripts/release APP VERSION "
        "--digest sha256:<digest>` and promote it'")


def _metadata(rule: Guardrail) -> dict:
    return {"name": rule.name,
            # managed-by: how scripts/drift finds the live cluster-scoped objects it owns.
            "labels": {"app.kubernetes.io/part-of": "marty",
                       "app.kubernetes.io/component": "admission-policy",
                       "app.kubernetes.io/managed-by": "kustomize"},
            "annotations": {"marty.dev/rego-rule": rule.name, "marty.dev/summary": rule.summary}}


def policy(rule: Guardrail, exempt_users: list[str]) -> dict:
    exempt = _cel_list(exempt_users)
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": _metadata(rule),
        "spec": {
            "failurePolicy": "Fail",
            # matchPolicy and scope are the server's defaults, written out so that the rendered
            # object is what the server stores (scripts/drift compares the two).
            "matchConstraints": {"matchPolicy": "Equivalent", "resourceRules": [
                {**r, "operations": ["CREATE", "UPDATE"], "scope": "*"} for r in WORKLOADS]},
            "matchConditions": [
                {"name": "has-pod-spec", "expression": HAS_POD_SPEC},
                # Pods and ReplicaSets the workload controllers and operators create come from a
                # template (or custom resource) already checked when it was applied.
                {"name": "not-a-controller",
                 "expression": f"!{exempt}.exists(p, request.userInfo.username == p"
                               " || (p.endsWith(':') && request.userInfo.username.startsWith(p)))"},
            ],
            "variables": [{"name": "podSpec", "expression": POD_SPEC}]
            + [{"name": n, "expression": e} for n, e in rule.variables],
            "validations": [{"expression": rule.expression, "message": rule.message,
                             "messageExpression": rule.message_expression,
                             "reason": "Forbidden"}],
        }}


def binding(rule: Guardrail, excluded_namespaces: list[str]) -> dict:
    key, value = GUARDED_LABEL
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": _metadata(rule),
        "spec": {
            "policyName": rule.name,
            "validationActions": VALIDATION_ACTIONS,
            "matchResources": {"matchPolicy": "Equivalent", "namespaceSelector": {
                "matchLabels": {key: value},
                "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                                      "values": excluded_namespaces}]}},
        }}


@dataclass(frozen=True)
class Sources:
    registries: list[str]
    team_label: str
    controller_namespaces: list[str]  # the platform controllers', except the GitOps engines'
    engine_namespaces: list[str]


def load_sources(root: Path) -> Sources:
    data = load_config(root / GUARDRAILS_DATA, GUARDRAILS_DATA)
    marty = data.get("marty") if isinstance(data, dict) else None
    registries = marty.get("allowed_registries") if isinstance(marty, dict) else None
    team_label = marty.get("team_label") if isinstance(marty, dict) else None
    if not (isinstance(registries, list) and registries
            and all(isinstance(r, str) and r for r in registries)):
        raise UsageError(f"{GUARDRAILS_DATA}: marty.allowed_registries must be a non-empty "
                         "list of registry prefixes")
    if not (isinstance(team_label, str) and team_label):
        raise UsageError(f"{GUARDRAILS_DATA}: marty.team_label must be a label name")
    controllers = catalog_controllers.load(root).controllers \
        if catalog_controllers.present(root) else ()
    engines = sorted({c.namespace for c in controllers
                      if any(kind in c.serves for kind in DELIVERY_KINDS)})
    others = sorted({c.namespace for c in controllers} - set(engines))
    return Sources(registries, team_label, others, engines)


def exempt_users(sources: Sources) -> list[str]:
    """The kube-controller-manager and every service account of kube-system and of the
    controllers' namespaces (prefixes end with ':'); the GitOps engines are not exempt."""
    return ["system:kube-controller-manager"] + [
        f"system:serviceaccount:{ns}:" for ns in ["kube-system", *sources.controller_namespaces]]


def excluded_namespaces(sources: Sources) -> list[str]:
    return sorted({*SYSTEM_NAMESPACES, *sources.controller_namespaces,
                   *sources.engine_namespaces})


def objects(sources: Sources, rules: list[Guardrail]) -> list[dict]:
    """Each policy followed by its binding."""
    users, namespaces = exempt_users(sources), excluded_namespaces(sources)
    return [o for rule in rules for o in (policy(rule, users), binding(rule, namespaces))]
