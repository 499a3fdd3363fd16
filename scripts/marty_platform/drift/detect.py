"""Compares desired (rendered from git) with live objects and classifies the differences.

- missing: in git, not in the cluster;
- unmanaged: in the cluster, in one of the env's namespaces (or cluster-scoped), labelled
  `app.kubernetes.io/managed-by` with a value this env's rendered objects use (`kustomize` here;
  override with `managedBy:` in config/drift-ignore.yaml), and not in git;
- modified: in both, with field-level differences left after normalisation.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from marty_platform.diffing.matching import field_changes, index
from marty_platform.diffing.model import CHANGED, ResourceDiff
from marty_platform.diffing.normalize import canonical, strip_noise
from marty_platform.diffing.redact import redact_object
from marty_platform.drift.defaults import (canonical_quantities, prune_defaults,
                                           strip_server_fields)
from marty_platform.drift.rules import MANAGED_BY, DriftConfig, remove_pointer
from marty_platform.model import ResourceKey

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "ReplicaSet"}


@dataclass
class DriftReport:
    env: str
    context: str
    missing: list[ResourceKey] = field(default_factory=list)
    unmanaged: list[ResourceKey] = field(default_factory=list)
    modified: list[ResourceDiff] = field(default_factory=list)
    checked: int = 0

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.unmanaged or self.modified)


def managed_values(desired: list[dict], config: DriftConfig) -> set[str]:
    if config.managed_by_values:
        return set(config.managed_by_values)
    values = {((o.get("metadata") or {}).get("labels") or {}).get(MANAGED_BY) for o in desired}
    return {v for v in values if v} or {"kustomize"}


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
    desired, live = strip_noise(desired), strip_server_fields(strip_noise(live))
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
    for obj in (desired, live):
        canonical_quantities(obj.get("spec"))
    prune_defaults(key.kind, live, desired)
    return desired, live


def detect(env: str, context: str, desired: list[dict], live: list[dict],
           config: DriftConfig, namespaces: tuple[str, ...]) -> DriftReport:
    report = DriftReport(env, context)
    wanted, actual = index(desired), index(live)
    scaled = hpa_targets(desired) | hpa_targets(live)
    managed = managed_values(desired, config)
    report.checked = len(wanted)
    for key in sorted(wanted, key=str):
        if key not in actual:
            report.missing.append(key)
            continue
        want, have = normalise_pair(env, wanted[key], copy.deepcopy(actual[key]), config, scaled)
        changes = field_changes(canonical(redact_object(want)), canonical(redact_object(have)))
        if changes:
            report.modified.append(ResourceDiff(key, CHANGED, changes))
    for key in sorted(set(actual) - set(wanted), key=str):
        labels = (actual[key].get("metadata") or {}).get("labels") or {}
        in_scope = not key.namespace or not namespaces or key.namespace in namespaces
        if in_scope and labels.get(MANAGED_BY) in managed and not _owned(actual[key]):
            report.unmanaged.append(key)
    return report


def _owned(obj: dict) -> bool:
    """Objects a controller created (ReplicaSets, Pods, Endpoints...) are nobody's drift."""
    return bool((obj.get("metadata") or {}).get("ownerReferences"))
