"""Compares desired (rendered from git) with live objects and classifies the differences.

- missing: in git, not in the cluster;
- unmanaged: in the cluster, in one of the env's namespaces (or cluster-scoped), not in git, not
  created by a controller, and this repo's: it carries the tracking marks Argo CD or Flux put on
  what they apply for one of the checked overlays, or the labels the render carries
  (`app.kubernetes.io/managed-by` from `managedBy:` in config/drift-ignore.yaml, or `helm.sh/chart`
  naming a chart the render inflates, any version);
- modified: in both, with field-level differences left after normalisation.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from marty_platform.comparison import field_changes
from marty_platform.comparison.noise import strip_noise
from marty_platform.diffing.matching import index
from marty_platform.diffing.model import CHANGED, ResourceDiff
from marty_platform.diffing.redact import redact_object
from marty_platform.drift.defaults import live_defaults
from marty_platform.drift.rules import MANAGED_BY, DriftConfig, remove_pointer
from marty_platform.model import ResourceKey

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "ReplicaSet", "Rollout"}  # what an HPA scales


@dataclass
class DriftReport:
    env: str
    context: str
    missing: list[ResourceKey] = field(default_factory=list)
    unmanaged: list[ResourceKey] = field(default_factory=list)
    modified: list[ResourceDiff] = field(default_factory=list)
    checked: int = 0
    apps: tuple[str, ...] = ()  # with --app: the overlays checked; empty: the whole env

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.unmanaged or self.modified)


def managed_values(desired: list[dict], config: DriftConfig) -> set[str]:
    if config.managed_by_values:
        return set(config.managed_by_values)
    values = {((o.get("metadata") or {}).get("labels") or {}).get(MANAGED_BY) for o in desired}
    return {v for v in values if v} or {"kustomize"}


HELM_CHART = "helm.sh/chart"
_CHART_VERSION = re.compile(r"-v?[0-9]+(\.[0-9]+)*([-+].*)?$")


def chart_name(label: object) -> str | None:
    """`microservice` of `helm.sh/chart: microservice-0.3.0`."""
    return _CHART_VERSION.sub("", label) if isinstance(label, str) and label else None


@dataclass(frozen=True)
class Ownership:
    """Which live objects outside git are this repo's leftovers, for the overlays checked."""

    env: str
    apps: tuple[str, ...]  # the overlays checked
    whole_env: bool  # False with --app: only objects attributable to those apps count
    managed_by: frozenset[str]
    charts: frozenset[str]
    config: DriftConfig

    @classmethod
    def of(cls, env: str, apps: tuple[str, ...], whole_env: bool, desired: list[dict],
           config: DriftConfig) -> "Ownership":
        charts = {chart_name(_labels(o).get(HELM_CHART)) for o in desired}
        return cls(env, apps, whole_env, frozenset(managed_values(desired, config)),
                   frozenset(c for c in charts if c), config)

    def tracked(self, obj: dict) -> bool:
        return any(mark.matches(obj, self.env, self.apps) for mark in self.config.tracking_marks)

    def labelled(self, obj: dict) -> bool:
        labels = _labels(obj)
        if chart_name(labels.get(HELM_CHART)) in self.charts:
            return self.whole_env or labels.get(self.config.app_label) in self.apps
        return self.whole_env and labels.get(MANAGED_BY) in self.managed_by

    def owns(self, obj: dict) -> bool:
        return not _owned_by_controller(obj) and (self.tracked(obj) or self.labelled(obj))


def _labels(obj: dict) -> dict:
    labels = (obj.get("metadata") or {}).get("labels")
    return labels if isinstance(labels, dict) else {}


def hpa_targets(objects: list[dict]) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of every workload an HPA scales."""
    targets = set()
    for obj in objects:
        if obj.get("kind") == "HorizontalPodAutoscaler":
            ref = (obj.get("spec") or {}).get("scaleTargetRef") or {}
            namespace = (obj.get("metadata") or {}).get("namespace") or ""
            targets.add((str(ref.get("kind")), namespace, str(ref.get("name"))))
    return targets


def _pod_spec(obj: dict) -> dict | None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    if obj.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def drop_injected(live: dict, desired: dict, config: DriftConfig) -> None:
    """Sidecars a mutating webhook injected (istio-proxy...), unless git declares them."""
    live_pod, desired_pod = _pod_spec(live), _pod_spec(desired) or {}
    if not isinstance(live_pod, dict):
        return
    for field_name, names in (("containers", config.injected_containers),
                              ("initContainers", config.injected_containers),
                              ("volumes", config.injected_volumes)):
        declared = {c.get("name") for c in desired_pod.get(field_name) or []}
        if isinstance(live_pod.get(field_name), list):
            live_pod[field_name] = [c for c in live_pod[field_name]
                                    if c.get("name") not in names or c.get("name") in declared]
            if not live_pod[field_name] and field_name not in desired_pod:
                del live_pod[field_name]


def normalise_pair(env: str, desired: dict, live: dict, config: DriftConfig,
                   scaled: set[tuple[str, str, str]]) -> tuple[dict, dict]:
    # Both are changed in place below: the rendered object is copied, `live` is already a copy.
    desired, live = strip_noise(copy.deepcopy(desired)), strip_noise(live)
    key = ResourceKey.of(desired)
    if (key.kind, key.namespace, key.name) in scaled and key.kind in WORKLOAD_KINDS:
        for obj in (desired, live):
            (obj.get("spec") or {}).pop("replicas", None)
    drop_injected(live, desired, config)
    for rule in config.rules:
        if rule.applies(env, desired):
            for pointer in rule.pointers:
                remove_pointer(desired, pointer)
                remove_pointer(live, pointer)
    return desired, live


def detect(env: str, context: str, desired: list[dict], live: list[dict],
           config: DriftConfig, namespaces: tuple[str, ...], ownership: Ownership) -> DriftReport:
    report = DriftReport(env, context, apps=() if ownership.whole_env else ownership.apps)
    wanted, actual = index(desired), index(live)
    scaled = hpa_targets(desired) | hpa_targets(live)
    report.checked = len(wanted)
    for key in sorted(wanted, key=str):
        if key not in actual:
            report.missing.append(key)
            continue
        want, have = normalise_pair(env, wanted[key], copy.deepcopy(actual[key]), config, scaled)
        changes = field_changes(redact_object(want), redact_object(have),
                                ignore=live_defaults(key.kind))
        if changes:
            report.modified.append(ResourceDiff(key, CHANGED, changes))
    for key in sorted(set(actual) - set(wanted), key=str):
        in_scope = not key.namespace or not namespaces or key.namespace in namespaces
        if in_scope and ownership.owns(actual[key]):
            report.unmanaged.append(key)
    return report


def _owned_by_controller(obj: dict) -> bool:
    """Objects a controller created (ReplicaSets, Pods, Endpoints...) are nobody's drift."""
    return bool((obj.get("metadata") or {}).get("ownerReferences"))
