"""What the API server adds to objects, so it is not mistaken for drift.

Mirrors Argo CD's normalisation (status and server-set metadata are stripped by
`comparison.noise`, for diff and drift alike): a field that only the live object has is ignored
when it holds the value the API server defaults it to (patterns below, matched against the end of
the field's path, `*` being any list item); empty maps and lists the server adds are ignored too.
Fields present in git are always compared.
"""
from __future__ import annotations

from marty_platform.comparison.changes import Ignore

ANY = object()

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
    (("Namespace",), ("spec",), {"finalizers": ["kubernetes"]}),  # git's Namespace has no spec
    (("Namespace",), ("spec", "finalizers"), ["kubernetes"]),
    (("Namespace",), ("labels", "kubernetes.io/metadata.name"), ANY),
    (("PersistentVolumeClaim",), ("spec", "volumeMode"), "Filesystem"),
    # custom resources: the defaults of their CRD schemas (the server applies them; found by
    # comparing with the hermetic API server, tests/server/test_server_drift.py)
    *[(("ExternalSecret",), ("extract", f), v) for f, v in (
        ("conversionStrategy", "Default"), ("decodingStrategy", "None"),
        ("metadataPolicy", "None"), ("nullBytePolicy", "Ignore"))],
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


def live_defaults(kind: str) -> Ignore:
    """For `comparison.field_changes(desired, live)`: a field only live has, holding a default."""
    def ignore(report: str, path: tuple[str, ...], value, parent) -> bool:
        return report == "dictionary_item_added" and isinstance(parent, dict) and \
            is_default(kind, path, value, parent)
    return ignore
