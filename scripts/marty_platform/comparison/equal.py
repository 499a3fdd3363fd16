"""A DeepDiff custom operator that stops at subtrees equal on both sides.

Most of an object is unchanged, and DeepDiff would still walk every level of it. A map or list
that is equal on both sides, to the type of every scalar (`true` is not `1`), holds no change:
its walk is skipped. Python's `==` answers quickly when they differ; the type-exact check (their
JSON texts) runs only on what `==` calls equal.
"""
from __future__ import annotations

import json


def _exact(value) -> str | None:
    try:
        return json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError):  # keys of mixed types cannot be sorted
        return None


class EqualSubtreeOperator:
    def match(self, level) -> bool:
        t1, t2 = level.t1, level.t2
        return type(t1) is type(t2) and isinstance(t1, (dict, list)) and t1 == t2

    def give_up_diffing(self, level, diff_instance) -> bool:
        exact = _exact(level.t1)
        return exact is not None and exact == _exact(level.t2)

    def normalize_value_for_hashing(self, parent, obj):
        return obj
