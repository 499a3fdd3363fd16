"""zizmor over the GitHub Actions workflows and actions under .github/: dangerous triggers
(pull_request_target checking out the pull request), template injection, unpinned actions,
excessive permissions, credentials left on disk.

It runs `--offline` (no GitHub API), `--no-config` (a zizmor.yml in the tree cannot turn an
audit off) and `--no-ignores` (nor can a `# zizmor: ignore` comment): an accepted finding is
waived in policies/exceptions.yaml. The whole of .github/ is one unit (a workflow's finding can
depend on the local action it uses), cached by the content of all its files.
"""
from __future__ import annotations

import hashlib
import importlib.metadata

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.rules import ScannerRules, declare
from marty_platform.result_cache import ScanCache, content_key
from marty_platform.security.tree import tree_files
from marty_platform.security.venv_tools import program
from marty_platform.tools.runner import clean_output, run

CHECK = "workflow-security"
RULE_PREFIX = "zizmor/"
RULES = declare(
    CHECK, "Security issues in the GitHub Actions workflows and actions (zizmor).",
    scanner_rules=(ScannerRules(RULE_PREFIX, "zizmor's audit names, "
                                "https://docs.zizmor.sh/audits/"),),
    module=__name__)
SOURCE_DIR = ".github"
# zizmor exits 11-14 by the highest severity it found (informational ... high).
_FINDINGS = (11, 12, 13, 14)
_SEVERITY = {"High": Severity.ERROR, "Medium": Severity.ERROR, "Low": Severity.WARNING,
             "Informational": Severity.WARNING, "Unknown": Severity.WARNING}


def _zizmor(ctx: RunContext, files: dict[str, bytes]) -> list[dict]:
    staging = ctx.scratch("zizmor")
    for name, content in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(content)
    completed = run(program(ctx.toolbox, "zizmor", "--offline", "--no-config", "--no-ignores",
                            "--no-progress", "--format", "json", ".", cwd=staging,
                            problem_codes=_FINDINGS, subject=f"{SOURCE_DIR}/"))
    report = completed.json()
    if not isinstance(report, list):
        raise completed.failed("printed a report that is not a list")
    found = []
    for item in report:
        primary = next((loc for loc in item.get("locations") or []
                        if loc.get("symbolic", {}).get("kind") == "Primary"), None)
        if primary is None:
            continue
        key = primary["symbolic"].get("key", {}).get("Local", {})
        determinations = item.get("determinations") or {}
        found.append({
            "rule": str(item.get("ident") or "unknown"),
            "file": str(key.get("given_path") or key.get("verbatim_path") or "").removeprefix("./"),
            "line": int(primary["concrete"]["location"]["start_point"]["row"]) + 1,
            "severity": str(determinations.get("severity") or "High"),
            "text": f"{item.get('desc') or ''}: {primary['symbolic'].get('annotation') or ''}"})
    return list(completed.reported(found, "finding"))


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    files = {name: path.read_bytes() for name, path in
             tree_files(ctx.repo, (ctx.repo.root / SOURCE_DIR,)).items()
             if name.endswith((".yaml", ".yml"))}
    result.stats.checked = len(files)
    if not files:
        return [result]
    version = f"zizmor={importlib.metadata.version('zizmor')}"
    whole = hashlib.sha256(b"".join(content_key(version, name, content).encode()
                                    for name, content in sorted(files.items()))).hexdigest()
    cache = ScanCache(ctx.cache_dir, "zizmor", "github")
    found = cache.get(whole)
    if found is None:
        found = _zizmor(ctx, files)
        cache.put(whole, found)
    cache.save()
    for item in found:
        result.findings.append(finding(
            CHECK, RULE_PREFIX + item["rule"], clean_output(item["text"], limit=300),
            file=f"{SOURCE_DIR}/{item['file']}" if not item["file"].startswith(SOURCE_DIR)
            else item["file"], line=item["line"],
            severity=_SEVERITY.get(item["severity"], Severity.ERROR)))
    return [result]
