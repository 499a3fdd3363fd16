"""bandit over the tooling's Python (`scripts/`), cached by content per file.

`--ignore-nosec`: a `# nosec` comment does not silence a finding; an accepted one is waived in
policies/exceptions.yaml with its reason, owner and expiry. High and medium severity findings are
errors, low ones warnings.
"""
from __future__ import annotations

import hashlib
import importlib.metadata

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.rules import Rule, ScannerRules, declare
from marty_platform.result_cache import scan_cached
from marty_platform.security.tree import tree_files
from marty_platform.security.venv_tools import python_module
from marty_platform.tools.runner import clean_output, run

CHECK = "python-security"
RULE_PREFIX = "bandit/"
RULES = declare(
    CHECK, "Security issues in the tooling's Python code under scripts/ (bandit).",
    Rule("unparsable", "bandit could not parse a file"),
    scanner_rules=(ScannerRules(RULE_PREFIX, "bandit's test ids (B101 ...), "
                                "https://bandit.readthedocs.io/en/latest/plugins/"),),
    module=__name__)
SOURCE_DIR = "scripts"
_ISSUES_FOUND = 1
_SEVERITY = {"HIGH": Severity.ERROR, "MEDIUM": Severity.ERROR, "LOW": Severity.WARNING}


def _bandit(ctx: RunContext, staging) -> list[tuple[str, dict]]:
    completed = run(python_module(
        ctx.toolbox, "bandit", "--recursive", ".", "--format", "json", "--quiet",
        "--ignore-nosec", cwd=staging, problem_codes=(_ISSUES_FOUND,), subject=SOURCE_DIR))
    report = completed.json()
    if not isinstance(report, dict):
        raise completed.failed("printed a report that is not an object")
    found = [(_name(item.get("filename")), {
        "rule": str(item.get("test_id") or "unknown"), "line": int(item.get("line_number") or 1),
        "severity": str(item.get("issue_severity") or "HIGH"),
        "text": str(item.get("issue_text") or "")}) for item in report.get("results") or []]
    found += [(_name(item.get("filename")), {"rule": "", "line": 1, "severity": "HIGH",
                                             "text": str(item.get("reason") or "")})
              for item in report.get("errors") or []]
    return list(completed.reported(found, "issue"))


def _name(filename) -> str:
    return str(filename or "").removeprefix("./")


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    chosen = ctx.options.paths or (ctx.repo.root / SOURCE_DIR,)
    files = {name: path.read_bytes() for name, path in tree_files(ctx.repo, chosen).items()
             if name.startswith(f"{SOURCE_DIR}/") and name.endswith(".py")}
    result.stats.checked = len(files)
    if not files:
        return [result]
    fingerprint = hashlib.sha256(f"bandit={importlib.metadata.version('bandit')}".encode()
                                 ).hexdigest()
    staging = ctx.scratch("bandit")
    results = scan_cached(ctx.cache_dir, "bandit", "scripts", fingerprint, files, staging,
                          lambda directory: _bandit(ctx, directory))
    for name, issues in sorted(results.items()):
        for issue in issues:
            text = clean_output(issue["text"], limit=300)
            if not issue["rule"]:
                result.findings.append(finding(CHECK, "unparsable", f"bandit: {text}",
                                               file=name))
                continue
            result.findings.append(finding(
                CHECK, RULE_PREFIX + issue["rule"], text, file=name, line=issue["line"],
                severity=_SEVERITY.get(issue["severity"], Severity.ERROR)))
    return [result]
