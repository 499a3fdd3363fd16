"""A diff for CI: SARIF (one result per changed object, at its overlay's kustomization) and JUnit
(one test suite per overlay, one test case per changed object).

A diff is not a failure: a change is a `note`, a change carrying a risk a `warning` (as in the
github annotations), and only a diff that could not be made (a render error) is an `error` and a
JUnit <failure>.
"""
from __future__ import annotations

from marty_platform.diffing.model import AppDiff, DiffReport, ResourceDiff
from marty_platform.report import junit, sarif

TOOL = "marty-platform diff"
_FIELDS_SHOWN = 10


def _overlay_file(app: AppDiff) -> str:
    return f"overlays/{app.env}/{app.app}/kustomization.yaml"


def _risks(report: DiffReport, app: AppDiff, resource: ResourceDiff) -> list[str]:
    return [risk.message for risk in report.risks
            if (risk.env, risk.app, risk.resource) == (app.env, app.app, str(resource.key))]


def _summary(resource: ResourceDiff) -> str:
    fields = [change.path for change in resource.changes]
    shown = ", ".join(fields[:_FIELDS_SHOWN]) + (", ..." if len(fields) > _FIELDS_SHOWN else "")
    return f"{resource.status} {resource.title}" + (f": {len(fields)} field(s): {shown}"
                                                    if fields else "")


def _objects(report: DiffReport):
    for app in report.changed_apps:
        for resource in app.resources:
            yield app, resource, _risks(report, app, resource)


def sarif_report(report: DiffReport) -> str:
    results = [sarif.Result("diff/error", "error", error) for error in report.errors]
    for app, resource, risks in _objects(report):
        message = f"{app.name}: {_summary(resource)}"
        if risks:
            message += "; risk: " + "; ".join(risks)
        results.append(sarif.Result(
            f"diff/{resource.status}", "warning" if risks else "note", message,
            _overlay_file(app), properties={"env": app.env, "app": app.app,
                                            "resource": str(resource.key)}))
    return sarif.document(TOOL, results)


def junit_report(report: DiffReport) -> str:
    cases = [junit.Case("diff", "render", [junit.Failure("diff/error", error, error)
                                           for error in report.errors])] if report.errors else []
    for app, resource, risks in _objects(report):
        output = [_summary(resource)] + [f"risk: {risk}" for risk in risks]
        cases.append(junit.Case(app.name, resource.title, output=output))
    return junit.document(f"{TOOL}: {report.title}", cases)
