"""How values and objects are shown in reports (shared by every format)."""
from __future__ import annotations

import json

import yaml

MAX_VALUE = 200


def show(value, limit: int = MAX_VALUE) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def object_lines(obj: dict | None, limit: int = 80) -> list[str]:
    """An object as YAML lines, at most `limit` of them."""
    lines = yaml.safe_dump(obj or {}, sort_keys=False, default_flow_style=False,
                           allow_unicode=True, width=120).splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + [f"… ({len(lines) - limit} more lines)"]
    return lines
