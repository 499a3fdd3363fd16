"""Namespace mapping for env-to-env diffs.

What both diff and drift ignore, and how list items are matched, live in `comparison`.
"""
from __future__ import annotations

import re


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
