"""Error budget bars: one line per service, the budget its worst SLO has left drawn in Unicode
block characters, for a pull request or an incident channel (monospace, no image to host)."""
from __future__ import annotations

import math

WIDTH = 20
_FULL, _EMPTY = "█", "░"
# Eighths of a cell, for the partly filled one: ▏ is 1/8, ▉ is 7/8.
_PARTIAL = " ▏▎▍▌▋▊▉"
OVERSPENT = "!"


def bar(remaining: float | None, width: int = WIDTH) -> str:
    """`remaining` (1 untouched, 0 spent) as a bar of `width` cells; an overspent budget is an
    empty bar ending in `!`, an unknown one is blank."""
    if remaining is None or math.isnan(remaining):
        return " " * width
    if remaining < 0:
        return _EMPTY * (width - 1) + OVERSPENT
    eighths = round(min(remaining, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    cells = _FULL * full + (_PARTIAL[part] if part else "")
    return cells + _EMPTY * (width - len(cells))


def worst_per_service(rows) -> list:
    """The row with the least budget left of each service, in the rows' order; a service whose
    SLOs have no data at all keeps its no-data row."""
    worst: dict[str, object] = {}
    for row in rows:
        current = worst.get(row.service)
        if current is None or (row.budget_remaining is not None and (
                current.budget_remaining is None or
                row.budget_remaining < current.budget_remaining)):
            worst[row.service] = row
    return list(worst.values())


def bar_lines(rows) -> list[str]:
    """`service  bar  remaining  status (slo)` per service, aligned."""
    chosen = worst_per_service(rows)
    if not chosen:
        return []
    width = max(len(r.service) for r in chosen)
    lines = []
    for row in chosen:
        remaining = "no data" if row.budget_remaining is None else \
            f"{row.budget_remaining * 100:.1f}%"
        lines.append(f"{row.service:<{width}}  {bar(row.budget_remaining)}  {remaining:>7}  "
                     f"{row.status} ({row.slo})".rstrip())
    return lines
