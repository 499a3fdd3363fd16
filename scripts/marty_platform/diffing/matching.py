"""Pairs objects by identity; the field-level changes of a pair come from `comparison`."""
from __future__ import annotations

from marty_platform.comparison import field_changes
from marty_platform.comparison.noise import strip_noise
from marty_platform.diffing.model import ADDED, CHANGED, REMOVED, ResourceDiff
from marty_platform.model import ResourceKey


def index(objects: list[dict]) -> dict[ResourceKey, dict]:
    result: dict[ResourceKey, dict] = {}
    for obj in objects:
        result[ResourceKey.of(obj)] = obj
    return result


def diff_objects(before: list[dict], after: list[dict], *, prepare=strip_noise) -> list[ResourceDiff]:
    """Resource-level diffs, matched by (group, kind, namespace, name), in a stable order."""
    old, new = index([prepare(o) for o in before]), index([prepare(o) for o in after])
    result = []
    for key in sorted(set(old) | set(new), key=lambda k: (k.namespace, k.kind, k.name, k.group)):
        if key not in new:
            result.append(ResourceDiff(key, REMOVED, before=old[key]))
        elif key not in old:
            result.append(ResourceDiff(key, ADDED, after=new[key]))
        else:
            changes = field_changes(old[key], new[key])
            if changes:
                result.append(ResourceDiff(key, CHANGED, changes, before=old[key], after=new[key]))
    return result


__all__ = ["diff_objects", "index", "ADDED", "REMOVED", "CHANGED"]
