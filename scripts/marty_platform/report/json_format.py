"""--format json: the machine-readable contract."""
from __future__ import annotations

import json

from marty_platform.model import Report
from marty_platform.report.stats import stats


def render(report: Report) -> str:
    return json.dumps({"ok": report.ok, "findings": [f.to_dict() for f in report.findings],
                       "stats": stats(report), "notes": report.notes},
                      indent=2, sort_keys=False) + "\n"
