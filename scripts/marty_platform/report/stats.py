"""Per-check and per-env counts, shared by every format."""
from __future__ import annotations

from collections import defaultdict

from marty_platform.model import Report
from marty_platform.model import Severity


def stats(report: Report) -> dict:
    checks: dict[str, dict] = defaultdict(lambda: {"checked": 0, "not_checked": 0,
                                                   "errors": 0, "warnings": 0})
    per_env: dict[str, dict[str, dict]] = defaultdict(dict)
    rules: dict[str, int] = defaultdict(int)
    for result in report.results:
        entry = checks[result.check]
        entry["checked"] += result.stats.checked
        entry["not_checked"] += result.stats.not_checked
        env_entry = per_env[result.env or "repo"].setdefault(
            result.check, {"checked": 0, "not_checked": 0, "errors": 0, "warnings": 0})
        env_entry["checked"] += result.stats.checked
        env_entry["not_checked"] += result.stats.not_checked
        for rule, count in result.rules.items():
            rules[rule] += count
    for item in report.findings:
        label = {"error": "errors", "warning": "warnings"}.get(item.severity.value)
        if label is None:
            continue
        checks[item.check][label] += 1
        env_entry = per_env[item.env or "repo"].setdefault(
            item.check, {"checked": 0, "not_checked": 0, "errors": 0, "warnings": 0})
        env_entry[label] += 1
    return {
        "envs": report.envs,
        "errors": sum(f.severity is Severity.ERROR for f in report.findings),
        "warnings": sum(f.severity is Severity.WARNING for f in report.findings),
        "checks": dict(sorted(checks.items())),
        "by_env": {env: dict(sorted(v.items())) for env, v in sorted(per_env.items())},
        "rules": dict(sorted(rules.items())),
    }
