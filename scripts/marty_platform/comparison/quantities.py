"""Resource quantities that mean the same amount compare equal: `0.5` = `500m`, `1Gi` = `1024Mi`.

The API server rewrites quantities into its canonical form, and authors write them either way, so
the values under `requests` and `limits` are compared as amounts. Anything that is not a quantity
is left to the ordinary comparison.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

QUANTITY_MAPS = ("requests", "limits")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTORS = {None: 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
            "P": 10**15, "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
            "Pi": 2**50, "Ei": 2**60}


def amount(value) -> Decimal | None:
    """The amount a quantity stands for, or None when `value` is not a quantity."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    match = _QUANTITY.match(str(value))
    if not match:
        return None
    try:
        return Decimal(match.group(1)) * Decimal(_FACTORS[match.group(2)])
    except InvalidOperation:
        return None


def _scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


class QuantityOperator:
    """A DeepDiff custom operator: a value of a `requests`/`limits` map on both sides that is the
    same amount is no change; a different amount goes on to the ordinary comparison, which
    reports the values as written."""

    def match(self, level) -> bool:
        if not (_scalar(level.t1) and _scalar(level.t2)):
            return False
        quantity_map = level.up.up if level.up is not None else None
        rel = quantity_map and (quantity_map.t1_child_rel or quantity_map.t2_child_rel)
        return rel is not None and rel.param in QUANTITY_MAPS

    def give_up_diffing(self, level, diff_instance) -> bool:
        before = amount(level.t1)
        return before is not None and before == amount(level.t2)

    def normalize_value_for_hashing(self, parent, obj):
        """DeepDiff hashes matched list items only to tell them apart; values stay as written."""
        return obj
