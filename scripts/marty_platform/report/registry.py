"""The one table of reporters: (result type, format) → a function that renders the result.

Every command that prints a report hands its result to `render`; the formats a command offers
(its --format choices) are `formats(ResultType)`. Adding a format is adding a row here.
`colour` is only honoured by the text formats.
"""
from __future__ import annotations

from typing import Callable

from marty_platform.diffing import report_ci, report_json, report_markdown, report_text
from marty_platform.diffing.model import DiffReport
from marty_platform.drift import report as drift_report
from marty_platform.drift.detect import DriftReport
from marty_platform.model import Report
from marty_platform.monitoring import slo_report
from marty_platform.monitoring.slo_report import SloReport
from marty_platform.report import github, json_format, junit, markdown, sarif, text
from marty_platform.report.github import Annotation

Reporter = Callable[[object, bool], str]


def _diff_annotations(report: DiffReport) -> list[Annotation]:
    annotations = [Annotation("error", "diff/error", error) for error in report.errors]
    annotations += [Annotation("warning", f"risk {risk.env}/{risk.app}",
                               f"{risk.resource}: {risk.message}") for risk in report.risks]
    return annotations


def _drift_annotations(report: DriftReport) -> list[Annotation]:
    title = f"drift {report.env}"
    return ([Annotation("error", title, f"missing in the cluster: {key}")
             for key in report.missing]
            + [Annotation("warning", title, f"unmanaged in the cluster: {key}")
               for key in report.unmanaged]
            + [Annotation("error", title, f"modified in the cluster: {diff.key} "
                          f"({len(diff.changes)} field(s))") for diff in report.modified])


def _slo_annotations(report: SloReport) -> list[Annotation]:
    levels = {slo_report.EXHAUSTED: "error", slo_report.AT_RISK: "warning"}
    return [Annotation(levels[row.status], f"slo {row.service}/{row.slo}",
                       f"error budget {row.status.lower()}")
            for row in report.rows if row.status in levels]


REPORTERS: dict[tuple[type, str], Reporter] = {
    (Report, "text"): lambda r, colour: text.render(r, colour=colour),
    (Report, "json"): lambda r, colour: json_format.render(r),
    (Report, "markdown"): lambda r, colour: markdown.render(r),
    (Report, "github"): lambda r, colour: github.render(r),
    (Report, "sarif"): lambda r, colour: sarif.render(r),
    (Report, "junit"): lambda r, colour: junit.render(r),

    (DiffReport, "text"): lambda r, colour: report_text.render(r, colour=colour),
    (DiffReport, "json"): lambda r, colour: report_json.render(r),
    (DiffReport, "markdown"): lambda r, colour: report_markdown.render(r),
    (DiffReport, "github"): lambda r, colour: github.workflow_commands(
        _diff_annotations(r), report_text.render(r)),
    (DiffReport, "sarif"): lambda r, colour: report_ci.sarif_report(r),
    (DiffReport, "junit"): lambda r, colour: report_ci.junit_report(r),

    (DriftReport, "text"): lambda r, colour: drift_report.text(r, colour=colour),
    (DriftReport, "json"): lambda r, colour: drift_report.as_json(r),
    (DriftReport, "markdown"): lambda r, colour: drift_report.markdown(r),
    (DriftReport, "github"): lambda r, colour: github.workflow_commands(
        _drift_annotations(r), drift_report.text(r)),
    (DriftReport, "sarif"): lambda r, colour: drift_report.sarif_report(r),
    (DriftReport, "junit"): lambda r, colour: drift_report.junit_report(r),

    (SloReport, "text"): lambda r, colour: slo_report.text(r.rows),
    (SloReport, "json"): lambda r, colour: slo_report.as_json(r.rows),
    (SloReport, "markdown"): lambda r, colour: slo_report.markdown(r.rows),
    (SloReport, "github"): lambda r, colour: github.workflow_commands(
        _slo_annotations(r), slo_report.text(r.rows)),
}


def formats(result_type: type) -> list[str]:
    """The formats `result_type` can be reported in, text first."""
    return [name for kind, name in REPORTERS if kind is result_type]


def render(result: object, output_format: str, colour: bool = False) -> str:
    reporter = REPORTERS.get((type(result), output_format))
    if reporter is None:
        raise KeyError(f"no {output_format} reporter for {type(result).__name__}")
    return reporter(result, colour)
