"""Which kinds are cluster-scoped: the one list in base/openapi/cluster-scoped-kinds.json.

kustomize reads the same file (an OpenAPI document whose paths carry no `/namespaces/{namespace}/`)
in the overlays that render cluster-scoped custom resources, so their `namespace:` is not set on
them. Drift reads it to compare such objects without a namespace, whatever a render or a live
listing says. The policy check passes it to the Rego policies as data.marty.clusterScopedKinds
(policies/lib/k8s.rego), so a finding names such an object without a namespace.
"""
from __future__ import annotations

from marty_platform import jsonio
from marty_platform.errors import UsageError
from marty_platform.repo import Repo

CLUSTER_SCOPED_KINDS = "base/openapi/cluster-scoped-kinds.json"
_GVK = "x-kubernetes-group-version-kind"


def cluster_scoped_kinds(repo: Repo) -> frozenset[tuple[str, str]]:
    """(kind, group) of every kind the document declares cluster-scoped."""
    path = repo.root / CLUSTER_SCOPED_KINDS
    if not path.is_file():
        return frozenset()  # a tree without custom cluster-scoped kinds
    try:
        document = jsonio.load_file(path)
    except jsonio.JsonError as exc:
        raise UsageError(f"{CLUSTER_SCOPED_KINDS}:{exc.line or ''}: cannot read the "
                         f"cluster-scoped kinds: {exc.message}") from None
    kinds = set()
    paths = document.get("paths") if isinstance(document, dict) else None
    for url, operations in (paths or {}).items():
        gvk = ((operations or {}).get("get") or {}).get(_GVK) if isinstance(operations, dict) else None
        if isinstance(gvk, dict) and "/namespaces/{namespace}/" not in url:
            kinds.add((str(gvk.get("kind")), str(gvk.get("group") or "")))
    return frozenset(kinds)


def without_namespace(obj: dict, cluster_scoped: frozenset[tuple[str, str]]) -> dict:
    """The object itself, its namespace dropped when its kind is cluster-scoped."""
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    meta = obj.get("metadata")
    if (str(obj.get("kind")), group) in cluster_scoped and isinstance(meta, dict):
        meta.pop("namespace", None)
    return obj


def as_policy_data(kinds: frozenset[tuple[str, str]]) -> dict:
    """The kinds as the Rego policies read them: data.marty.clusterScopedKinds."""
    return {"marty": {"clusterScopedKinds": [{"kind": kind, "group": group}
                                             for kind, group in sorted(kinds)]}}
