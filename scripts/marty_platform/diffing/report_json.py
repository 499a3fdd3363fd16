"""Machine-readable diff report."""
from __future__ import annotations

import json

from marty_platform.diffing.model import DiffReport


def as_dict(report: DiffReport) -> dict:
    return {
        "title": report.title,
        "differences": report.has_differences,
        "totals": report.totals(),
        "errors": report.errors,
        "risks": [{"env": r.env, "app": r.app, "resource": r.resource, "message": r.message}
                  for r in report.risks],
        "apps": [{
            "env": app.env, "app": app.app, "label": app.name,
            "added": app.count("added"), "removed": app.count("removed"),
            "changed": app.count("changed"),
            "resources": [{
                "kind": d.key.kind, "group": d.key.group, "namespace": d.key.namespace,
                "name": d.key.name, "status": d.status,
                "changes": [{"path": c.path, "kind": c.kind, "before": c.before, "after": c.after}
                            for c in d.changes],
            } for d in app.resources],
        } for app in report.apps],
    }


def render(report: DiffReport) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
