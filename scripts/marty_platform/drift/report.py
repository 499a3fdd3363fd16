"""Drift reports: text for people, json for machines, markdown for the drift issue, SARIF and JUnit
for CI (one result or test case per drifted object)."""
from __future__ import annotations

import json

import click

from marty_platform.diffing.values import show
from marty_platform.drift.detect import DriftReport
from marty_platform.report import junit, sarif

MARKER = "<!-- marty-drift -->"


def _change_lines(diff) -> list[str]:
    lines = []
    for change in diff.changes:
        if change.kind == "changed":
            lines.append(f"{change.path}: git {show(change.before)} → live {show(change.after)}")
        elif change.kind == "added":
            lines.append(f"{change.path}: only live {show(change.after)}")
        else:
            lines.append(f"{change.path}: only in git {show(change.before)}")
    return lines


def _apps(report: DriftReport) -> str:
    return f", app {', '.join(report.apps)}" if report.apps else ""


def text(report: DriftReport, colour: bool = False) -> str:
    def paint(value: str, fg: str) -> str:
        return click.style(value, fg=fg) if colour else value

    out = [f"Drift of env {report.env}{_apps(report)} (context {report.context}): "
           f"{report.checked} object(s) checked"]
    if not report.drifted:
        return "\n".join(out + ["No drift."]) + "\n"
    for key in report.missing:
        out.append(paint(f"  missing    {key}", "red"))
    for key in report.unmanaged:
        out.append(paint(f"  unmanaged  {key}", "yellow"))
    for diff in report.modified:
        out.append(paint(f"  modified   {diff.key}", "yellow"))
        out += [f"      {line}" for line in _change_lines(diff)]
    out.append(f"{len(report.missing)} missing, {len(report.unmanaged)} unmanaged, "
               f"{len(report.modified)} modified.")
    return "\n".join(out) + "\n"


def as_json(report: DriftReport) -> str:
    return json.dumps({
        "env": report.env, "apps": list(report.apps), "context": report.context,
        "drift": report.drifted,
        "checked": report.checked,
        "missing": [str(k) for k in report.missing],
        "unmanaged": [str(k) for k in report.unmanaged],
        "modified": [{"resource": str(d.key), "kind": d.key.kind, "namespace": d.key.namespace,
                      "name": d.key.name,
                      "changes": [{"path": c.path, "git": c.before, "live": c.after}
                                  for c in d.changes]} for d in report.modified],
    }, indent=2, ensure_ascii=False) + "\n"


def markdown(report: DriftReport, limit: int = 60_000) -> str:
    out = [MARKER, f"### Drift in `{report.env}`{_apps(report)} (context `{report.context}`)", ""]
    if not report.drifted:
        out.append(f"No drift: {report.checked} object(s) match git.")
        return "\n".join(out) + "\n"
    out += [f"{len(report.missing)} missing, {len(report.unmanaged)} unmanaged, "
            f"{len(report.modified)} modified of {report.checked} object(s).", ""]
    out += [f"- **missing** `{k}`" for k in report.missing]
    out += [f"- **unmanaged** `{k}`" for k in report.unmanaged]
    for diff in report.modified:
        out += [f"<details><summary><b>modified</b> <code>{diff.key}</code></summary>", "",
                "```", *_change_lines(diff), "```", "", "</details>"]
    body = "\n".join(out) + "\n"
    return body if len(body) <= limit else body[:limit] + "\n\n_(truncated)_\n"


def _drifted(report: DriftReport) -> list[tuple[str, str, str, list[str]]]:
    """(kind of drift, level, resource, details) of every drifted object: missing and modified
    are errors, an unmanaged leftover a warning (as in the github annotations)."""
    return ([("missing", "error", str(key), ["in git, not in the cluster"])
             for key in report.missing]
            + [("unmanaged", "warning", str(key), ["in the cluster with this repo's marks, not "
                                                   "in git"]) for key in report.unmanaged]
            + [("modified", "error", str(diff.key), _change_lines(diff))
               for diff in report.modified])


def sarif_report(report: DriftReport) -> str:
    """Live objects have no file: each result is located at the repository root."""
    return sarif.document("marty-platform drift", [
        sarif.Result(f"drift/{kind}", level, f"{kind} in env {report.env}: {resource}: "
                     + "; ".join(details), properties={"env": report.env, "resource": resource})
        for kind, level, resource, details in _drifted(report)])


def junit_report(report: DriftReport) -> str:
    suite = f"drift {report.env}"
    cases = [junit.Case(suite, "checked", output=[f"{report.checked} object(s) checked"
                                                  f"{_apps(report)}"])]
    for kind, level, resource, details in _drifted(report):
        case = junit.Case(suite, resource)
        if level == "error":
            case.failures.append(junit.Failure(f"drift/{kind}", f"{kind}: {resource}",
                                               "\n".join(details)))
        else:
            case.output += [f"{kind}: {detail}" for detail in details]
        cases.append(case)
    return junit.document(f"marty-platform drift (context {report.context})", cases)
