"""The observability stack an env deploys, as its rendered delivery objects say: the values of a
platform controller's release (the Flux HelmRelease's inline values, else the values files the
Argo CD Application reads), Kubernetes label selectors, and the datasource references of Grafana
dashboards. Pure functions over rendered objects; the zero-config check uses them."""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform.catalog import controllers as catalog_controllers
from marty_platform.model import ManifestObject

PROMETHEUS_RELEASE = "kube-prometheus-stack"
GRAFANA_RELEASE = "grafana"
# Grafana's own pseudo-datasources, valid in any dashboard.
BUILTIN_DATASOURCES = {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "dashboard"}
_VARIABLE = re.compile(r"^\$\{?([A-Za-z0-9_]+)(?::[a-z]+)?\}?$")


def _meta(data: dict) -> dict:
    meta = data.get("metadata")
    return meta if isinstance(meta, dict) else {}


def labels_of(data: dict) -> dict:
    labels = _meta(data).get("labels")
    return labels if isinstance(labels, dict) else {}


def delivered_release(objects: list[ManifestObject], release: str) -> ManifestObject | None:
    """The HelmRelease or Argo CD Application that installs `release` in this env."""
    for obj in objects:
        data = obj.data
        if data.get("kind") == "HelmRelease" and \
                (data.get("spec") or {}).get("releaseName", _meta(data).get("name")) == release:
            return obj
    for obj in objects:
        data = obj.data
        if data.get("kind") == "Application" and any(
                isinstance(s, dict) and (s.get("helm") or {}).get("releaseName") == release
                for s in (data.get("spec") or {}).get("sources") or []):
            return obj
    return None


def release_values(root: Path, obj: ManifestObject, release: str) -> dict:
    """The values a release is installed with: a HelmRelease's inline values, or the values
    files of the controller in catalog/platform-controllers.yaml an Application reads."""
    if obj.data.get("kind") == "HelmRelease":
        values = (obj.data.get("spec") or {}).get("values")
        return values if isinstance(values, dict) else {}
    controller = catalog_controllers.load(root).by_name(release)
    return catalog_controllers.read_values(root, controller) if controller else {}


def release_namespace(obj: ManifestObject) -> str:
    spec = obj.data.get("spec") or {}
    if obj.data.get("kind") == "HelmRelease":
        return str(spec.get("targetNamespace") or _meta(obj.data).get("namespace") or "")
    return str((spec.get("destination") or {}).get("namespace") or "")


def dig(values: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(values, dict):
            return None
        values = values.get(key)
    return values


# --- label selectors ---------------------------------------------------------------------------

def selects_everything(selector: object) -> bool:
    """A missing or empty selector selects every object (or namespace)."""
    if not isinstance(selector, dict):
        return True
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def matches(selector: dict, labels: dict) -> bool:
    """Kubernetes LabelSelector semantics (matchLabels and matchExpressions, ANDed)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if str(labels.get(key)) != str(value) or key not in labels:
            return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, dict):
            return False
        key, operator = expression.get("key"), expression.get("operator")
        values = [str(v) for v in expression.get("values") or []]
        present = key in labels
        if operator == "In" and not (present and str(labels[key]) in values):
            return False
        if operator == "NotIn" and present and str(labels[key]) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def namespace_labels(objects: list[ManifestObject]) -> dict[str, dict]:
    """Every rendered Namespace's labels, with the `kubernetes.io/metadata.name` label the API
    server sets on every namespace."""
    found = {}
    for obj in objects:
        if obj.data.get("kind") == "Namespace" and obj.data.get("apiVersion") == "v1":
            name = str(_meta(obj.data).get("name"))
            found[name] = {**labels_of(obj.data), "kubernetes.io/metadata.name": name}
    return found


# --- Grafana dashboards ------------------------------------------------------------------------

def datasource_references(dashboard: dict) -> list[object]:
    """Every `datasource` value in a dashboard (panels, targets, variables, annotations) and every
    `datasourceUid` a link names (an exemplar's or a data link's trace)."""
    found: list[object] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("datasource", "datasourceUid") and value is not None:
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(dashboard)
    return found


def variable_of(reference: str) -> str | None:
    match = _VARIABLE.match(reference)
    return match.group(1) if match else None
