"""Secrets anywhere in git history (`scripts/scan --history`): a secret committed and then
deleted is still in every clone. gitleaks reads the commits of every ref; this is the one scan
that reads `.git/`, which is why it lives in `scripts/scan` and never in `scripts/validate`."""
from __future__ import annotations

from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, finding
from marty_platform.rules import declare
from marty_platform.security import gitleaks

CHECK = "secrets-history"
RULES = declare(
    CHECK, "Secrets in any commit of the git history (gitleaks; `scripts/scan --history`).",
    scanner_rules=(gitleaks.SCANNER_RULES,),
    module=__name__)


def check(ctx: RunContext) -> CheckResult:
    root = ctx.repo.root
    if not (root / ".git").exists():
        raise UsageError(f"--history: {root} is not a git repository")
    result = CheckResult(CHECK)
    scratch = ctx.scratch("gitleaks-history")
    leaks = gitleaks.scan_history(ctx.toolbox, root, gitleaks.config_file(root, scratch), scratch)
    result.stats.checked = 1
    for leak in leaks:
        result.findings.append(finding(
            CHECK, gitleaks.RULE_PREFIX + leak.rule,
            f"{leak.description} in commit {leak.commit}: the value is not shown; deleting the "
            "file does not remove it from history, so rotate the credential (docs/secrets.md)",
            file=leak.file, line=leak.line, resource=f"commit {leak.commit}"))
    return result
