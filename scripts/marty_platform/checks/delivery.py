"""Can the sync engines actually apply what the overlays render?

A manifest can be valid and still be refused at sync time: Argo CD applies an object only into a
namespace some AppProject of the env lists as a destination, and a cluster-scoped kind only when a
project's clusterResourceWhitelist allows it; Flux applies as the ServiceAccount its Kustomizations
impersonate, so that account's ClusterRoles must cover every kind. This check compares each env's
rendered objects with the env's own rendered AppProjects and Flux RBAC.

It judges against the union of the env's AppProjects rather than evaluating the ApplicationSet's
template, so it catches a namespace or kind no project allows, not one allowed by the wrong project.
Objects of the bootstrap overlays (`gitops-*`) are applied by hand or by the root Application and
are not judged.
"""
from __future__ import annotations

import fnmatch

from marty_platform.batch import EnvBatch
from marty_platform.catalog.controller_objects import CONTROLLERS_PROJECT_LABEL
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, ManifestObject, finding
from marty_platform.rules import Rule, declare

CHECK = "delivery"
RULES = declare(
    CHECK, "What each env's delivery system may apply: Argo CD AppProjects, Flux's RBAC.",
    Rule("argocd-destination", "a namespace is not a destination of any of the env's "
         "AppProjects"),
    Rule("argocd-cluster-resource", "a cluster-scoped kind is not allowed by any AppProject"),
    Rule("flux-applier-rbac", "the account Flux applies the env as may not manage the object"),
    module=__name__)


def _group(obj: dict) -> str:
    api_version = str(obj.get("apiVersion") or "")
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def guess_resource(kind: str) -> str:
    """The plural resource name of a kind, as Kubernetes' UnsafeGuessKindToResource derives it."""
    lower = kind.lower()
    if lower.endswith("s"):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lower[:-1] + "ies"
    return lower + "s"


def _matches(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, str(p)) for p in patterns or ())


def _labelled(data: dict, labels: dict) -> bool:
    own = (data.get("metadata") or {}).get("labels") or {}
    return all(own.get(k) == v for k, v in labels.items())


def _delivered(obj: ManifestObject) -> bool:
    return not obj.source.rstrip("/").split("/")[-1].startswith("gitops-")


def _argo_findings(env: str, objects: list[ManifestObject], judged: list[ManifestObject]):
    # The platform controllers' project deploys pinned remote charts, never an overlay.
    projects = [o.data for o in objects if o.data.get("kind") == "AppProject"
                and not _labelled(o.data, CONTROLLERS_PROJECT_LABEL)]
    if not projects:
        return []
    destinations = [d.get("namespace", "") for p in projects
                    for d in (p.get("spec") or {}).get("destinations") or []]
    whitelist = [(w.get("group", ""), w.get("kind", "")) for p in projects
                 for w in (p.get("spec") or {}).get("clusterResourceWhitelist") or []]
    found = []
    for obj in judged:
        namespace = (obj.data.get("metadata") or {}).get("namespace")
        where = dict(file=obj.file, line=obj.line, env=env, resource=str(obj.key))
        if namespace and not _matches(destinations, namespace):
            found.append(finding(
                CHECK, "argocd-destination",
                f"namespace {namespace} is not a destination of any {env} AppProject; Argo CD "
                "would refuse to sync it. Add it to the project's spec.destinations",
                **where))
        elif not namespace and not any(fnmatch.fnmatchcase(_group(obj.data), g)
                                       and fnmatch.fnmatchcase(str(obj.data.get("kind")), k)
                                       for g, k in whitelist):
            found.append(finding(
                CHECK, "argocd-cluster-resource",
                f"cluster-scoped {obj.data.get('kind')} ({_group(obj.data) or 'core'}) is not in "
                f"any {env} AppProject's clusterResourceWhitelist; Argo CD would refuse to sync "
                "it", **where))
    return found


def _flux_rules(objects: list[ManifestObject]) -> list[dict] | None:
    """The RBAC rules of the accounts Flux Kustomizations impersonate (None: no Flux here)."""
    accounts = set()
    for obj in objects:
        data = obj.data
        if data.get("kind") == "Kustomization" and "toolkit.fluxcd.io" in _group(data):
            spec = data.get("spec") or {}
            if spec.get("serviceAccountName"):
                accounts.add(((data.get("metadata") or {}).get("namespace", ""),
                              spec["serviceAccountName"]))
    if not accounts:
        return None
    roles = {(o.data.get("metadata") or {}).get("name"): o.data for o in objects
             if o.data.get("kind") == "ClusterRole"}
    rules = []
    for obj in objects:
        if obj.data.get("kind") != "ClusterRoleBinding":
            continue
        subjects = {(s.get("namespace", ""), s.get("name")) for s in obj.data.get("subjects") or []
                    if s.get("kind") == "ServiceAccount"}
        if subjects & accounts:
            role = roles.get((obj.data.get("roleRef") or {}).get("name"))
            rules += (role or {}).get("rules") or []
    return rules


def _flux_findings(env: str, objects: list[ManifestObject], judged: list[ManifestObject]):
    rules = _flux_rules(objects)
    if rules is None:
        return []
    found = []
    for obj in judged:
        group, resource = _group(obj.data), guess_resource(str(obj.data.get("kind")))
        if not any(_matches(r.get("apiGroups"), group) and _matches(r.get("resources"), resource)
                   for r in rules):
            found.append(finding(
                CHECK, "flux-applier-rbac",
                f"the account Flux applies {env} as may not manage {resource} "
                f"({group or 'core'}); add it to the applier ClusterRole",
                file=obj.file, line=obj.line, env=env, resource=str(obj.key)))
    return found


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    result = CheckResult(CHECK, env=batch.env)
    everything = [*batch.objects, *batch.staged.context]
    judged = [o for o in batch.objects if _delivered(o)]
    result.findings += _argo_findings(batch.env, everything, judged)
    result.findings += _flux_findings(batch.env, everything, judged)
    result.stats.checked = len(judged)
    return [result]
