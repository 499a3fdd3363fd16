"""Noise removal and the canonical shape diffs compare.

Objects are compared in a canonical form where lists with a natural key become mappings keyed by it
(containers, env, ports, volumes... by name; volumeMounts by mountPath), so a reordering is no change
and a changed env var is exactly one change. Annotations that carry no intent are stripped:
kustomize's `config.kubernetes.io/*` bookkeeping and checksum annotations that only repeat other
objects' content.
"""
from __future__ import annotations

import copy
import re

NOISE_ANNOTATION_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/")
CHECKSUM_ANNOTATION = re.compile(r"(^|/)checksum[-/]|(^|/)checksum$")

# Lists whose items are identified by a field, not by position. The first field that is present
# and unique across the items is used; other lists of named items are keyed by `name` too.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "ports": ("name", "containerPort", "port"),
    "volumes": ("name",),
    "volumeMounts": ("mountPath", "name"),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
}
GENERIC_KEY = ("name",)


class Keyed(dict):
    """A list turned into a mapping by its natural key; remembers the key field for display."""

    def __init__(self, items, key_field: str):
        super().__init__(items)
        self.key_field = key_field


def strip_noise(obj: dict) -> dict:
    """A deep copy without kustomize bookkeeping and checksum annotations."""
    result = copy.deepcopy(obj)
    meta = result.get("metadata")
    if isinstance(meta, dict):
        _strip_annotations(meta)
    template_meta = (((result.get("spec") or {}).get("template") or {}).get("metadata")
                     if isinstance(result.get("spec"), dict) else None)
    if isinstance(template_meta, dict):
        _strip_annotations(template_meta)
    return result


def _strip_annotations(meta: dict) -> None:
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        return
    for name in list(annotations):
        if name.startswith(NOISE_ANNOTATION_PREFIXES) or CHECKSUM_ANNOTATION.search(name):
            del annotations[name]
    if not annotations:
        del meta["annotations"]


def list_key(field: str, items: list) -> str | None:
    """The field identifying the items of list `field`, or None when they are compared by
    position. The one rule for diffs and for drift's default pruning."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for candidate in NATURAL_KEYS.get(field, GENERIC_KEY):
        values = [i.get(candidate) for i in items]
        if all(v is not None and not isinstance(v, (dict, list)) for v in values) and \
                len(set(map(str, values))) == len(values):
            return candidate
    return None


def canonical(value, field: str = ""):
    """The comparable form of a value: keyed lists become `Keyed` mappings, recursively."""
    if isinstance(value, dict):
        return {k: canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        key = list_key(field, value)
        if key is not None:
            return Keyed(((str(item[key]), canonical(item, "")) for item in value), key)
        return [canonical(item, field) for item in value]
    return value


def map_namespaces(obj, mapping: dict[str, str]):
    """Every string equal to, or containing as a DNS label, a mapped namespace, rewritten.

    Used for env-to-env diffs, so `marty-dev` vs `marty-staging` (and `web.marty-dev.svc`) is not
    reported as a difference."""
    if not mapping:
        return obj
    pattern = re.compile(r"(?<![A-Za-z0-9-])(" + "|".join(
        re.escape(k) for k in sorted(mapping, key=len, reverse=True)) + r")(?![A-Za-z0-9-])")

    def walk(value):
        if isinstance(value, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return pattern.sub(lambda m: mapping[m.group(1)], value)
        return value

    return walk(obj)
