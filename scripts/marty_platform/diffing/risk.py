"""Risk notes: the changes a reviewer must not miss, listed at the top of every report."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from marty_platform.diffing.model import ADDED, CHANGED, REMOVED, AppDiff, ResourceDiff, Risk
from marty_platform.envconfig import production_envs
from marty_platform.repo import Repo

PROTECTIVE_KINDS = {"PodDisruptionBudget", "NetworkPolicy"}
RBAC_KINDS = {"Role", "ClusterRole"}


@lru_cache(maxsize=8)
def _production(root: Path) -> frozenset[str]:
    """The production-tier envs (`tier: production` in their env.yaml) of the repo at `root`."""
    return production_envs(Repo(root))


def _pod_spec(obj: dict | None) -> dict:
    spec = (obj or {}).get("spec") or {}
    if obj and obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    if obj and obj.get("kind") == "Pod":
        return spec
    return ((spec.get("template") or {}).get("spec") or {}) if isinstance(spec, dict) else {}


def _images(obj: dict | None) -> dict[str, str]:
    pod = _pod_spec(obj)
    result = {}
    for field in ("initContainers", "containers"):
        for container in pod.get(field) or []:
            if isinstance(container, dict):
                result[str(container.get("name"))] = str(container.get("image"))
    return result


def _grants(obj: dict | None) -> set[tuple[str, str, str]]:
    result = set()
    for rule in (obj or {}).get("rules") or []:
        if not isinstance(rule, dict):
            continue
        for group in rule.get("apiGroups") or [""]:
            for resource in rule.get("resources") or rule.get("nonResourceURLs") or [""]:
                for verb in rule.get("verbs") or []:
                    result.add((str(group), str(resource), str(verb)))
    return result


def resource_risks(env: str, app: str, diff: ResourceDiff, *, target_env: str | None = None,
                   production: frozenset[str] | None = None) -> list[Risk]:
    """`production`: the production-tier envs (default: those of the repo run in)."""
    target = target_env or env
    production = _production(Repo.find().root) if production is None else production
    kind, name = diff.key.kind, str(diff.key)
    notes: list[str] = []
    if diff.status == REMOVED:
        if target in production:
            notes.append(f"resource deleted in {target}")
        if kind in PROTECTIVE_KINDS:
            notes.append(f"{kind} removed")
    if kind == "CustomResourceDefinition":
        notes.append(f"CRD {diff.status}")
    if diff.status == CHANGED:
        old = (diff.before or {}).get("spec", {}) or {}
        new = (diff.after or {}).get("spec", {}) or {}
        if isinstance(old.get("replicas"), int) and isinstance(new.get("replicas"), int) and \
                new["replicas"] < old["replicas"]:
            notes.append(f"replicas reduced {old['replicas']} → {new['replicas']}")
        before_images, after_images = _images(diff.before), _images(diff.after)
        for container, image in sorted(after_images.items()):
            if container in before_images and before_images[container] != image:
                notes.append(f"image changed ({container}): {before_images[container]} → {image}")
    if kind in RBAC_KINDS and diff.status in (ADDED, CHANGED):
        new_grants = _grants(diff.after) - _grants(diff.before)
        wildcards = sorted({g for g in new_grants if "*" in g})
        if diff.status == CHANGED and new_grants:
            shown = ", ".join(f"{v} {r or '-'}" + (f".{g}" if g else "")
                              for g, r, v in sorted(new_grants)[:6])
            more = f" (+{len(new_grants) - 6} more)" if len(new_grants) > 6 else ""
            notes.append(f"RBAC scope widened: {shown}{more}")
        elif wildcards:
            notes.append("new RBAC rules with wildcards")
    return [Risk(env, app, name, note) for note in notes]


def app_risks(app: AppDiff, *, target_env: str | None = None,
              production: frozenset[str] | None = None) -> list[Risk]:
    production = _production(Repo.find().root) if production is None else production
    return [risk for diff in app.resources
            for risk in resource_risks(app.env, app.app, diff, target_env=target_env,
                                       production=production)]
