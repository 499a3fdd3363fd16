"""Human text: a summary table per env and check, then one line per finding."""
from __future__ import annotations

from marty_platform.engine import Report
from marty_platform.model import Finding
from marty_platform.report.stats import stats


def finding_line(item: Finding) -> str:
    location = f"{item.file}:{item.line}" if item.line else (item.file or "-")
    return (f"{location}  {item.env or '-'}  {item.resource or '-'}  "
            f"{item.check}/{item.rule}  {item.severity.value}: {item.message}")


def render(report: Report) -> str:
    data = stats(report)
    rows = [("env", "check", "checked", "not checked", "errors", "warnings")]
    for env, per_check in data["by_env"].items():
        for check, c in per_check.items():
            rows.append((env, check, str(c["checked"]), str(c["not_checked"]), str(c["errors"]),
                         str(c["warnings"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines += [finding_line(f) for f in report.findings]
    lines += [f"note: {note}" for note in report.notes]
    verdict = "OK" if report.ok else "FAILED"
    lines.append(f"{verdict}: {data['errors']} error(s), {data['warnings']} warning(s)")
    return "\n".join(lines) + "\n"
