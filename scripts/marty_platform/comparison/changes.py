"""Field-level changes between two versions of an object: DeepDiff with the Kubernetes rules.

DeepDiff walks both objects, matching list items by their Kubernetes key (`lists`) and treating
equal quantities (`quantities`) and `1` vs `1.0` as equal; its tree view is turned into the
(path, before, after) changes reports and risk notes read. A path reads like
`spec.template.spec.containers[web].env[LOG_LEVEL].value`: map keys after dots (or quoted in
brackets), keyed list items by their key, other list items by position.

A list without a key is one value when it changes length or holds scalars (`args`, `command`): a
changed list of strings is shown whole, not as index shuffles.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from deepdiff import DeepDiff
from deepdiff.helper import notpresent

from marty_platform.comparison.equal import EqualSubtreeOperator
from marty_platform.comparison.lists import KeyedMatcher
from marty_platform.comparison.quantities import QuantityOperator
from marty_platform.diffing.model import Change

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REPORTS = ("values_changed", "type_changes", "dictionary_item_added", "dictionary_item_removed",
            "iterable_item_added", "iterable_item_removed")

# A change DeepDiff found, offered to `ignore`: its report type (`dictionary_item_added`...), its
# path (map keys, `*` for list items), the after value and the map holding it.
Ignore = Callable[[str, tuple[str, ...], object, object], bool]


class Found(NamedTuple):
    """One change DeepDiff reported, placed: where it sorts, its path, and both sides."""

    order: tuple  # sorts like the path: map keys and list keys by name, positions by number
    path: str
    report: str  # DeepDiff's report type; `values_changed` for a list shown whole
    pattern: tuple[str, ...]  # the path as map keys, `*` for every list item
    before: object
    after: object
    parent: object  # the map (or list) holding `after`


def _levels(leaf) -> list:
    chain, level = [], leaf
    while level is not None:
        chain.append(level)
        level = level.up
    return chain[::-1]


class _Walk:
    """One comparison: the matcher's list keys, reused when paths are written."""

    def __init__(self) -> None:
        self.matcher = KeyedMatcher()

    def diff(self, before: dict, after: dict) -> DeepDiff:
        return DeepDiff(before, after, view="tree", iterable_compare_func=self.matcher,
                        custom_operators=[EqualSubtreeOperator(), QuantityOperator()],
                        ignore_type_in_groups=[(int, float)], ignore_type_subclasses=True,
                        # Keys starting with `__` are data here (a ConfigMap's `__init__.py`).
                        ignore_private_variables=False,
                        # Every differing key is reported, however few the two maps share.
                        threshold_to_diff_deeper=0,
                        # An item removed at index i and another added at i stay two changes.
                        report_repetition=True)

    def _whole(self, level) -> bool:
        """A list level shown as one value: no key, and not the same length of maps/lists."""
        t1, t2 = level.t1, level.t2
        if not (isinstance(t1, list) and isinstance(t2, list)) or self.matcher.key_of(level):
            return False
        return len(t1) != len(t2) or not all(isinstance(v, (dict, list)) for v in t1 + t2)

    def change(self, report: str, leaf) -> Found:
        """A leaf DeepDiff reported; a change inside a list shown whole is that list's
        `values_changed`."""
        chain = _levels(leaf)
        text, order, pattern = "", [], []
        for index, level in enumerate(chain[:-1]):
            if self._whole(level):
                chain, report = chain[:index + 1], "values_changed"
                break
            child = chain[index + 1]
            rel = level.t1_child_rel or level.t2_child_rel
            if isinstance(level.t1 if level.t1 is not notpresent else level.t2, list):
                key = self.matcher.key_of(level)
                pattern.append("*")
                if key:
                    item = child.t1 if child.t1 is not notpresent else child.t2
                    text += f"[{item[key]}]"
                    order.append((1, str(item[key])))
                else:
                    text += f"[{rel.param}]"
                    order.append((0, rel.param))
            else:
                name = str(rel.param)
                text += f".{name}" if _PLAIN_KEY.match(name) else f"[{name!r}]".replace("'", '"')
                order.append((1, name))
                pattern.append(name)
        last = chain[-1]
        parent = chain[-2].t2 if len(chain) > 1 else None
        return Found(tuple(order), text.lstrip(".") or "(object)", report, tuple(pattern),
                     _side_value(last.t1), _side_value(last.t2), parent)


def field_changes(before: dict, after: dict, *, ignore: Ignore | None = None) -> list[Change]:
    """The changes from `before` to `after`, in path order. `ignore` drops a change DeepDiff
    found (drift uses it for fields only the live object has, holding server defaults)."""
    walk = _Walk()
    tree = walk.diff(before, after).tree
    found: dict[str, Found] = {}
    for report in _REPORTS:
        for leaf in tree.get(report, ()):
            change = walk.change(report, leaf)
            if change.path in found:
                continue
            if ignore is not None and ignore(change.report, change.pattern, change.after,
                                             change.parent):
                continue
            found[change.path] = change
    return [Change(c.path, before=c.before, after=c.after)
            for c in sorted(found.values(), key=lambda c: c.order)]


def _side_value(value):
    return None if value is notpresent else value
