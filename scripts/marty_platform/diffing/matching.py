"""Pairs objects by identity and lists the field-level changes between two versions."""
from __future__ import annotations

import re

from marty_platform.diffing.model import ADDED, CHANGED, REMOVED, Change, ResourceDiff
from marty_platform.diffing.normalize import Keyed, canonical, strip_noise
from marty_platform.model import ResourceKey

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _segment(key: str) -> str:
    return f".{key}" if _PLAIN_KEY.match(key) else f"[{key!r}]".replace("'", '"')


def field_changes(before, after, path: str = "") -> list[Change]:
    """Changes from `before` to `after` (both canonical), leaves first-level detail only."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        keyed = isinstance(before, Keyed) or isinstance(after, Keyed)
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}[{key}]" if keyed else f"{path}{_segment(str(key))}"
            if key not in after:
                changes.append(Change(sub.lstrip("."), before=_plain(before[key])))
            elif key not in before:
                changes.append(Change(sub.lstrip("."), after=_plain(after[key])))
            else:
                changes += field_changes(before[key], after[key], sub)
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after) and \
            all(isinstance(v, (dict, list)) for v in before + after):
        changes = []
        for index, (old, new) in enumerate(zip(before, after)):
            changes += field_changes(old, new, f"{path}[{index}]")
        return changes
    if before == after and type(before) is type(after):
        return []
    return [Change(path.lstrip(".") or "(object)", before=_plain(before), after=_plain(after))]


def _plain(value):
    """Back from canonical to ordinary JSON data, for display."""
    if isinstance(value, Keyed):
        return [_plain(v) for v in value.values()]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
            changes = field_changes(canonical(old[key]), canonical(new[key]))
            if changes:
                result.append(ResourceDiff(key, CHANGED, changes, before=old[key], after=new[key]))
    return result


__all__ = ["diff_objects", "field_changes", "index", "ADDED", "REMOVED", "CHANGED"]
