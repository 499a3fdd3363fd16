"""Loading Prometheus rule files into flat, line-located rule records."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from marty_platform.yamlio import MAPPING_LINE, load_one


@dataclass(frozen=True)
class Rule:
    file: Path
    line: int | None
    group: str
    kind: str  # "alert" or "record"
    name: str
    expr: str
    labels: dict = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)


def load_rules(path: Path) -> list[Rule]:
    """The rules of one file; raises YamlError or ValueError if it is not a rule file.

    Several checks read the same rule files in one run; each file is parsed once per content."""
    stat = path.stat()
    return list(_load_rules(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=256)
def _load_rules(path: Path, mtime_ns: int, size: int) -> tuple[Rule, ...]:
    document = load_one(path, mapping_lines=True)
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        raise ValueError("not a Prometheus rule file (no `groups:` list)")
    rules: list[Rule] = []
    for group in document["groups"]:
        if not isinstance(group, dict):
            continue
        for raw in group.get("rules") or []:
            if not isinstance(raw, dict):
                continue
            kind = "alert" if "alert" in raw else "record"
            rules.append(Rule(
                file=path,
                line=raw.get(MAPPING_LINE),
                group=str(group.get("name", "")),
                kind=kind,
                name=str(raw.get(kind, "")),
                expr=str(raw.get("expr", "")),
                labels=_strip(raw.get("labels")),
                annotations=_strip(raw.get("annotations")),
            ))
    return tuple(rules)


def _strip(mapping: object) -> dict:
    if not isinstance(mapping, dict):
        return {}
    return {k: v for k, v in mapping.items() if k != MAPPING_LINE}
