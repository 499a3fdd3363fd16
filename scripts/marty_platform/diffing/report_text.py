"""Plain-text diff report for terminals; coloured when asked (stdout is a TTY)."""
from __future__ import annotations

import click

from marty_platform.diffing.model import ADDED, CHANGED, REMOVED, DiffReport
from marty_platform.diffing.values import object_lines, show

_COLOURS = {ADDED: "green", REMOVED: "red", CHANGED: "yellow"}
_SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def render(report: DiffReport, colour: bool = False, full: bool = False) -> str:
    def paint(text: str, status: str, bold: bool = False) -> str:
        return click.style(text, fg=_COLOURS.get(status), bold=bold) if colour else text

    out = [report.title, ""]
    for error in report.errors:
        out.append(paint(f"error: {error}", REMOVED, bold=True))
    if report.risks:
        out.append(paint("Risks:", REMOVED, bold=True))
        out += [paint(f"  ! {risk}", REMOVED) for risk in report.risks]
        out.append("")
    if not report.has_differences:
        out.append("No differences." if not report.errors else "")
        return "\n".join(out).rstrip() + "\n"
    for app in report.changed_apps:
        name = click.style(app.name, bold=True) if colour else app.name
        out.append(f"{name}: {app.count(ADDED)} added, {app.count(REMOVED)} removed, "
                   f"{app.count(CHANGED)} changed")
        for diff in app.resources:
            out.append(paint(f"  {_SIGNS[diff.status]} {diff.title}", diff.status))
            for change in diff.changes:
                if change.kind == CHANGED:
                    out.append(f"      {change.path}: {show(change.before)} → {show(change.after)}")
                else:
                    sign = _SIGNS[change.kind]
                    value = change.after if change.kind == ADDED else change.before
                    out.append(paint(f"    {sign} {change.path}: {show(value)}", change.kind))
            if full and diff.status != CHANGED:
                obj = diff.after if diff.status == ADDED else diff.before
                out += [paint(f"      {line}", diff.status) for line in object_lines(obj)]
        out.append("")
    totals = report.totals()
    out.append(f"{len(report.changed_apps)} app(s) differ: {totals['added']} added, "
               f"{totals['removed']} removed, {totals['changed']} changed.")
    return "\n".join(out) + "\n"
