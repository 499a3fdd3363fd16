"""Which list items are the same item: the key Kubernetes merges a list by.

Containers, env, ports, volumes... are identified by a field, not by their position, so a reorder
is no change and a changed env var is exactly one change. The key of a list is the first candidate
field that every item on both sides holds as a scalar, unique within each side; a list without one
is compared by position. `KeyedMatcher` is DeepDiff's `iterable_compare_func`.
"""
from __future__ import annotations

from deepdiff.helper import CannotCompare

# Lists whose items are identified by a field, not by position (the strategic-merge keys); other
# lists of named items are keyed by `name` too.
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
    "topologySpreadConstraints": ("topologyKey",),
    "resourceClaims": ("name",),
}
GENERIC_KEY = ("name",)


def _unique_scalars(items: list, field: str) -> bool:
    values = [item.get(field) for item in items]
    return all(v is not None and not isinstance(v, (dict, list)) for v in values) and \
        len(set(map(str, values))) == len(values)


def list_key(field: str, *sides: list) -> str | None:
    """The field identifying the items of list `field` on every side, or None (by position)."""
    items = [item for side in sides for item in side]
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for candidate in NATURAL_KEYS.get(field, GENERIC_KEY):
        if all(_unique_scalars(side, candidate) for side in sides):
            return candidate
    return None


def field_name(level) -> str:
    """The map key a DeepDiff level was reached by (`containers` for a pod's container list)."""
    parent = level.up
    rel = parent and (parent.t1_child_rel or parent.t2_child_rel)
    return rel.param if rel is not None and isinstance(rel.param, str) else ""


class KeyedMatcher:
    """DeepDiff's `iterable_compare_func`: items match when their keys are equal. A list without
    a key raises CannotCompare, so DeepDiff pairs its items by position; so does a keyed list whose
    keys are in the same order on both sides (the same pairs, without DeepDiff hashing every
    matched item). Keys are worked out once per pair of lists (for one comparison: the lists stay
    alive, so their ids are stable)."""

    def __init__(self) -> None:
        self._keys: dict[tuple[int, int], tuple[str | None, bool]] = {}

    def _rule(self, level) -> tuple[str | None, bool]:
        ids = (id(level.t1), id(level.t2))
        if ids not in self._keys:
            key = list_key(field_name(level), level.t1, level.t2) \
                if isinstance(level.t1, list) and isinstance(level.t2, list) else None
            aligned = key is None or [str(i[key]) for i in level.t1] == [str(i[key]) for i in level.t2]
            self._keys[ids] = (key, aligned)
        return self._keys[ids]

    def key_of(self, level) -> str | None:
        return self._rule(level)[0]

    def __call__(self, before, after, level) -> bool:
        key, aligned = self._rule(level)
        if aligned:
            raise CannotCompare() from None
        return str(before[key]) == str(after[key])
