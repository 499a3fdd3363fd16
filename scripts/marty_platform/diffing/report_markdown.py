"""Markdown for a pull-request comment: risks first, a summary table, one `<details>` per app.

GitHub rejects comment bodies over 65,536 characters. `render` always fits: apps whose details do
not fit are summarised (counts and resource names only). `render_parts` splits the report over
several bodies instead, each under the limit, each starting with its own hidden marker.
"""
from __future__ import annotations

from marty_platform.diffing.model import ADDED, CHANGED, REMOVED, AppDiff, DiffReport
from marty_platform.diffing.values import object_lines, show

LIMIT = 65_536
MARKER = "<!-- marty-diff -->"
SPLIT_MARKER = "<!-- marty-diff-split -->"
_SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}
_RESERVE = 2_000  # headroom for the header, footers and the part marker


def _details(app: AppDiff, max_object_lines: int = 40) -> str:
    lines = []
    for diff in app.resources:
        lines.append(f"{_SIGNS[diff.status]} {diff.title}" if diff.status != CHANGED
                     else f"! {diff.title}")
        for change in diff.changes:
            if change.before is not None:
                lines.append(f"-   {change.path}: {show(change.before)}")
            if change.after is not None:
                lines.append(f"+   {change.path}: {show(change.after)}")
        if diff.status != CHANGED:
            sign = "+" if diff.status == ADDED else "-"
            obj = diff.after if diff.status == ADDED else diff.before
            lines += [f"{sign}   {line}" for line in object_lines(obj, max_object_lines)]
    body = "\n".join(lines).replace("```", "ʼʼʼ")
    return f"{_summary_line(app)}\n\n```diff\n{body}\n```\n\n</details>\n"


def _summary_line(app: AppDiff) -> str:
    return (f"<details><summary><b>{app.name}</b>: {app.count(ADDED)} added, "
            f"{app.count(REMOVED)} removed, {app.count(CHANGED)} changed</summary>")


def _summarised(app: AppDiff) -> str:
    names = "\n".join(f"- `{_SIGNS[d.status]} {d.title}` ({len(d.changes)} field(s))"
                      for d in app.resources[:200])
    more = f"\n- … and {len(app.resources) - 200} more" if len(app.resources) > 200 else ""
    return (f"{_summary_line(app)}\n\nToo large to show here; run `scripts/diff` locally for "
            f"the field-level changes.\n\n{names}{more}\n\n</details>\n")


def _header(report: DiffReport, marker: str = MARKER) -> str:
    out = [marker, f"### {report.title}", ""]
    if report.errors:
        out += ["**Errors:**", ""] + [f"- {e}" for e in report.errors[:50]] + [""]
    if report.risks:
        out += ["> [!WARNING]", "> **Risks**", ">"]
        out += [f"> - **{r.env}/{r.app}** `{r.resource}`: {r.message}" for r in report.risks[:100]]
        if len(report.risks) > 100:
            out.append(f"> - … and {len(report.risks) - 100} more")
        out.append("")
    if not report.has_differences:
        out.append("No differences in the rendered manifests.")
        return "\n".join(out) + "\n"
    out += ["| App | Added | Removed | Changed |", "|---|---:|---:|---:|"]
    out += [f"| {a.name} | {a.count(ADDED)} | {a.count(REMOVED)} | {a.count(CHANGED)} |"
            for a in report.changed_apps[:300]]
    if len(report.changed_apps) > 300:
        out.append(f"| … {len(report.changed_apps) - 300} more | | | |")
    return "\n".join(out) + "\n\n"


def _sections(report: DiffReport, budget: int) -> list[str]:
    sections = []
    for app in report.changed_apps:
        text = _details(app)
        if len(text) > budget:
            text = _details(app, max_object_lines=5)
        if len(text) > budget:
            text = _summarised(app)
        if len(text) > budget:
            text = _summary_line(app) + "\n\n(summary too large)\n\n</details>\n"
        sections.append(text)
    return sections


def render(report: DiffReport, limit: int = LIMIT) -> str:
    """One comment body, under `limit` characters."""
    header = _header(report)
    budget = limit - len(header) - _RESERVE
    sections = _sections(report, budget)
    # Summarise the biggest apps first until everything fits.
    order = sorted(range(len(sections)), key=lambda i: -len(sections[i]))
    for index in order:
        if sum(map(len, sections)) <= budget:
            break
        sections[index] = _summarised(report.changed_apps[index])
    while sections and sum(map(len, sections)) > budget:
        sections.pop()
        note = (f"\n_{len(report.changed_apps) - len(sections)} more app(s) not shown; "
                "run `scripts/diff` locally._\n")
        if sum(map(len, sections)) + len(note) <= budget:
            sections.append(note)
            break
    return header + "".join(sections)


def render_parts(report: DiffReport, limit: int = LIMIT) -> list[str]:
    """Several comment bodies, each under `limit`; the first holds risks and the summary."""
    header = _header(report)
    budget = limit - _RESERVE - 200
    parts: list[str] = [header]
    for section in _sections(report, budget):
        if len(parts[-1]) + len(section) > budget:
            parts.append("")
        parts[-1] += section
    total = len(parts)
    if total == 1:
        return parts
    return [(part if i == 0 else f"{MARKER.replace('-->', f'part {i + 1} -->')}\n"
             f"### {report.title} (part {i + 1}/{total})\n\n{part}")
            for i, part in enumerate(parts)]
