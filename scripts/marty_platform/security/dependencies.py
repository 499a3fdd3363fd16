"""The dependency audit (`scripts/scan --online`): pip-audit over the Python packages installed
in the tooling's virtualenv, which pyproject.toml pins exactly. It asks a vulnerability service
(PyPI's advisory data, OSV), so it needs the network, which validation never uses.

Offline, the audit cannot run: that is an `audit-skipped` error naming pip-audit and the
reason, so a run without the audit never passes. Any other failure of pip-audit is a tool
failure (exit 2), never zero vulnerabilities.
"""
from __future__ import annotations

import re
import sys

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.rules import Rule, ScannerRules, declare
from marty_platform.tools.runner import Command, clean_output, network_environment, run

CHECK = "dependencies"
RULE_PREFIX = "pip-audit/"
RULES = declare(
    CHECK, "Known vulnerabilities in the pinned Python dependencies (pip-audit; "
    "`scripts/scan --online`).",
    Rule("audit-skipped", "the audit could not reach its vulnerability service (offline): it "
         "did not run, and the scan fails"),
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
    command = Command(
        argv=(sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--format", "json",
              "--progress-spinner", "off", "--desc", "off",
              "--cache-dir", str(ctx.cache_dir / "pip-audit")),
        env=network_environment(), cwd=ctx.repo.root, ok_codes=(0,),
        problem_codes=(_VULNERABLE,), subject="the tooling's Python dependencies", timeout=900,
        root=ctx.repo.root)
    completed = run(command)
    if completed.found_problems and _UNREACHABLE.search(completed.stderr + completed.stdout):
        result.findings.append(finding(
            CHECK, "audit-skipped", "pip-audit skipped: its vulnerability service cannot be "
            f"reached ({_reason(completed.stderr + completed.stdout)}); run `scripts/scan "
            "--online` where the network is available"))
        return result
    report = completed.json()
    dependencies = report.get("dependencies", []) if isinstance(report, dict) else []
    result.stats.checked = len(dependencies)
    vulnerable = []
    for dependency in dependencies:
        for vulnerability in dependency.get("vulns") or []:
            fixed = ", ".join(vulnerability.get("fix_versions") or []) or "none yet"
            vulnerable.append(finding(
                CHECK, RULE_PREFIX + str(vulnerability.get("id") or "unknown"),
                f"{dependency.get('name')} {dependency.get('version')} is vulnerable "
                f"(fixed in: {fixed}); bump its pin in pyproject.toml",
                file="pyproject.toml", resource=str(dependency.get("name"))))
    result.findings += completed.reported(vulnerable, "vulnerability")
    return result


def _reason(output: str) -> str:
    match = _UNREACHABLE.search(output)
    return clean_output(match.group(), limit=200) if match else "network unreachable"
