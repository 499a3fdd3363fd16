"""What the API server and controllers add to objects, so it is not mistaken for drift.

Mirrors Argo CD's normalisation: server-managed metadata and status always go; a field that only
the live object has is dropped when it holds the value the API server defaults it to (patterns
below, matched against the end of the field's path, `*` being any list item); empty maps and lists
the server adds go too. Fields present in git are always compared.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marty_platform.diffing.normalize import list_key

ANY = object()
SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                   "selfLink", "deletionGracePeriodSeconds")
SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",
                      "deployment.kubernetes.io/revision",
                      "deprecated.daemonset.template.generation")

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")


def _same_as_port(value, parent: dict) -> bool:
    return value == parent.get("port")


# (kinds or None for every kind, path suffix, default value | ANY | predicate(value, parent))
DEFAULTS: list[tuple[tuple[str, ...] | None, tuple[str, ...], object]] = [
    # pod spec
    (None, ("spec", "dnsPolicy"), "ClusterFirst"),
    (None, ("spec", "restartPolicy"), "Always"),
    (None, ("spec", "schedulerName"), "default-scheduler"),
    (None, ("spec", "terminationGracePeriodSeconds"), 30),
    (None, ("spec", "serviceAccount"), ANY),  # deprecated mirror of serviceAccountName
    (None, ("spec", "enableServiceLinks"), True),
    (None, ("spec", "preemptionPolicy"), "PreemptLowerPriority"),
    (None, ("spec", "priority"), 0),
    (None, ("template", "metadata", "creationTimestamp"), None),
    # containers
    *[(None, (c, "*", f), v) for c in ("containers", "initContainers") for f, v in (
        ("imagePullPolicy", ANY), ("terminationMessagePath", "/dev/termination-log"),
        ("terminationMessagePolicy", "File"))],
    (None, ("ports", "*", "protocol"), "TCP"),
    *[(None, (p, f), v) for p in _PROBES for f, v in (
        ("timeoutSeconds", 1), ("successThreshold", 1), ("failureThreshold", 3),
        ("periodSeconds", 10))],
    (None, ("grpc", "service"), ""),
    (None, ("httpGet", "scheme"), "HTTP"),
    (None, ("fieldRef", "apiVersion"), "v1"),
    *[(None, (v, "defaultMode"), 420) for v in ("configMap", "secret", "projected", "downwardAPI")],
    # workloads
    (("Deployment",), ("spec", "strategy"),
     {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
    (("Deployment",), ("strategy", "rollingUpdate"), {"maxSurge": "25%", "maxUnavailable": "25%"}),
    (_WORKLOADS, ("spec", "revisionHistoryLimit"), 10),
    (("Deployment",), ("spec", "progressDeadlineSeconds"), 600),
    (("Deployment", "StatefulSet", "ReplicaSet"), ("spec", "replicas"), 1),
    (("StatefulSet",), ("spec", "podManagementPolicy"), "OrderedReady"),
    (("StatefulSet",), ("spec", "updateStrategy"),
     {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
    (("StatefulSet",), ("updateStrategy", "rollingUpdate"), {"partition": 0}),
    (("StatefulSet",), ("spec", "persistentVolumeClaimRetentionPolicy"),
     {"whenDeleted": "Retain", "whenScaled": "Retain"}),
    (("DaemonSet",), ("spec", "updateStrategy"),
     {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
    (("DaemonSet",), ("updateStrategy", "rollingUpdate"), {"maxSurge": 0, "maxUnavailable": 1}),
    # jobs
    (("Job", "CronJob"), ("spec", "backoffLimit"), 6),
    (("Job", "CronJob"), ("spec", "completions"), 1),
    (("Job", "CronJob"), ("spec", "parallelism"), 1),
    (("Job", "CronJob"), ("spec", "completionMode"), "NonIndexed"),
    (("Job", "CronJob"), ("spec", "suspend"), False),
    (("Job", "CronJob"), ("spec", "podReplacementPolicy"), "TerminatingOrFailed"),
    (("CronJob",), ("spec", "concurrencyPolicy"), "Allow"),
    (("CronJob",), ("spec", "successfulJobsHistoryLimit"), 3),
    (("CronJob",), ("spec", "failedJobsHistoryLimit"), 1),
    # services
    (("Service",), ("spec", "clusterIP"), ANY),
    (("Service",), ("spec", "clusterIPs"), ANY),
    (("Service",), ("spec", "ipFamilies"), ANY),
    (("Service",), ("spec", "ipFamilyPolicy"), ANY),
    (("Service",), ("spec", "sessionAffinity"), "None"),
    (("Service",), ("spec", "internalTrafficPolicy"), "Cluster"),
    (("Service",), ("spec", "type"), "ClusterIP"),
    (("Service",), ("ports", "*", "targetPort"), _same_as_port),
    (("HorizontalPodAutoscaler",), ("spec", "metrics"), [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
    (("Namespace",), ("spec", "finalizers"), ["kubernetes"]),
    (("Namespace",), ("labels", "kubernetes.io/metadata.name"), ANY),
    (("PersistentVolumeClaim",), ("spec", "volumeMode"), "Filesystem"),
]


def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    if len(pattern) > len(path):
        return False
    return all(p == "*" or p == q for p, q in zip(pattern, path[-len(pattern):]))


def is_default(kind: str, path: tuple[str, ...], value, parent: dict) -> bool:
    if value == {} or value == []:
        return True
    for kinds, pattern, default in DEFAULTS:
        if kinds is not None and kind not in kinds:
            continue
        if not _matches(pattern, path):
            continue
        if default is ANY or (callable(default) and default(value, parent)) or value == default:
            return True
    return False


def strip_server_fields(obj: dict) -> dict:
    obj.pop("status", None)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for name in SERVER_METADATA:
            meta.pop(name, None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for name in SERVER_ANNOTATIONS:
                annotations.pop(name, None)
    return obj


def prune_defaults(kind: str, live, desired, path: tuple[str, ...] = ()) -> None:
    """Remove, in place, live-only fields holding server defaults."""
    if isinstance(live, dict) and isinstance(desired, dict):
        for key in list(live):
            if key not in desired:
                if is_default(kind, (*path, key), live[key], live):
                    del live[key]
            else:
                prune_defaults(kind, live[key], desired[key], (*path, key))
    elif isinstance(live, list) and isinstance(desired, list):
        field = path[-1] if path else ""
        key = list_key(field, desired + live)
        if key:
            by_key = {str(d.get(key)): d for d in desired}
            for item in live:
                if str(item.get(key)) in by_key:
                    prune_defaults(kind, item, by_key[str(item.get(key))], (*path, "*"))
        elif len(live) == len(desired):
            for old, new in zip(live, desired):
                prune_defaults(kind, old, new, (*path, "*"))


_QUANTITY = re.compile(r"^([+-]?[0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTORS = {None: 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
            "P": 10**15, "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
            "Pi": 2**50, "Ei": 2**60}


def canonical_quantity(value):
    """`0.5` and `500m`, `1Gi` and `1024Mi` compare equal (the server rewrites quantities)."""
    match = _QUANTITY.match(str(value))
    if not match:
        return value
    try:
        amount = Decimal(match.group(1)) * Decimal(_FACTORS[match.group(2)])
    except InvalidOperation:
        return value
    return format(amount.normalize(), "f")


def canonical_quantities(obj) -> None:
    """Rewrite resources.requests/limits values in place."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("requests", "limits") and isinstance(value, dict):
                for name in value:
                    value[name] = canonical_quantity(value[name])
            else:
                canonical_quantities(value)
    elif isinstance(obj, list):
        for item in obj:
            canonical_quantities(item)
