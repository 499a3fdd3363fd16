"""The dependency audit (`scripts/scan --online`): pip-audit over the hashed lock files
(`requirements/*.lock`), the exact packages every install of the tooling and of checkov gets. It
asks a vulnerability service (PyPI's advisory data), so it needs the network, which validation
never uses.

Offline, the audit cannot run: that is an `audit-skipped` error naming pip-audit and the
reason, so a run without the audit never passes; a package the service could not look up
(pip-audit skips it and still exits 0) is `audit-skipped` too. Any other failure of pip-audit is
a tool failure (exit 2), never zero vulnerabilities.
"""
from __future__ import annotations

import re
import sys

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.rules import Rule, ScannerRules, declare
from marty_platform.security import pylock
from marty_platform.tools.runner import Command, clean_output, network_environment, run

CHECK = "dependencies"
RULE_PREFIX = "pip-audit/"
RULES = declare(
    CHECK, "Known vulnerabilities in the pinned Python dependencies (pip-audit; "
    "`scripts/scan --online`).",
    Rule("audit-skipped", "the audit could not reach its vulnerability service (offline), or "
         "it could not look a locked package up: not audited, and the scan fails"),
    scanner_rules=(ScannerRules(RULE_PREFIX, "the advisory ids pip-audit reports (PYSEC-, "
                                "GHSA-, CVE-)"),),
    module=__name__)
_VULNERABLE = 1
# What pip-audit (requests, urllib3) says when it cannot reach the service.
_UNREACHABLE = re.compile(r"ConnectionError|ProxyError|NewConnectionError|Max retries exceeded|"
                          r"Name or service not known|Temporary failure in name resolution|"
                          r"Network is unreachable|Connection refused|timed out", re.I)


def check(ctx: RunContext) -> CheckResult:
    result = CheckResult(CHECK)
    for spec in pylock.lock_specs(ctx.repo.root):
        if not (ctx.repo.root / spec.lock).is_file():
            result.findings.append(finding(
                CHECK, "audit-skipped", f"pip-audit skipped {spec.lock}: it is missing; run "
                "`make lock`", file=spec.source))
            continue
        result.findings += _audit(ctx, spec.lock, result)
    return result


def _audit(ctx: RunContext, lock: str, result: CheckResult) -> list:
    """pip-audit over one lock file: its exact pins, with their hashes, no install (--disable-pip)."""
    command = Command(
        argv=(sys.executable, "-m", "pip_audit", "--requirement", lock, "--require-hashes",
              "--disable-pip", "--format", "json", "--progress-spinner", "off", "--desc", "off",
              "--cache-dir", str(ctx.cache_dir / "pip-audit")),
        env=network_environment(), cwd=ctx.repo.root, ok_codes=(0,),
        problem_codes=(_VULNERABLE,), subject=lock, timeout=900, root=ctx.repo.root)
    completed = run(command)
    if completed.found_problems and (
            unreachable := _UNREACHABLE.search(completed.stderr + completed.stdout)):
        return [finding(
            CHECK, "audit-skipped", f"pip-audit skipped {lock}: its vulnerability service cannot "
            f"be reached ({clean_output(unreachable.group(), limit=200)}); run `scripts/scan "
            "--online` where the network is available", file=lock)]
    report = completed.json()
    dependencies = report.get("dependencies", []) if isinstance(report, dict) else []
    lines = (ctx.repo.root / lock).read_text(encoding="utf-8").splitlines()
    found, skipped = [], []
    for dependency in dependencies:
        name = str(dependency.get("name"))
        if dependency.get("skip_reason"):
            # pip-audit exits 0 for a package it could not look up: that is no clean audit.
            skipped.append((name, clean_output(str(dependency["skip_reason"]), limit=120)))
            continue
        result.stats.checked += 1
        line = next((n for n, text in enumerate(lines, 1)
                     if re.match(rf"{re.escape(name)}(\[[^\]]*\])?==", text, re.I)), None)
        for vulnerability in dependency.get("vulns") or []:
            fixed = ", ".join(vulnerability.get("fix_versions") or []) or "none yet"
            found.append(finding(
                CHECK, RULE_PREFIX + str(vulnerability.get("id") or "unknown"),
                f"{name} {dependency.get('version')} is vulnerable (fixed in: {fixed}); bump "
                "its pin and run `make lock`", file=lock, line=line, resource=name))
    if skipped:
        names = ", ".join(name for name, _ in skipped[:5]) + \
            (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        found.append(finding(
            CHECK, "audit-skipped", f"pip-audit could not audit {len(skipped)} of "
            f"{len(dependencies)} package(s) of {lock} ({names}), which are therefore not known "
            f"to be free of vulnerabilities; it says: {skipped[0][1]}", file=lock))
    return completed.reported(found, "vulnerability")
