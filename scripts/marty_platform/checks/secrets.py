"""Secrets in the working tree and in every env's rendered objects (gitleaks).

A secret can reach a cluster without ever being in a manifest: through a values file into a
ConfigMap, through a generator's literal. So gitleaks scans the files and, per env, the objects
as rendered (each written as YAML, so multi-line keys stay multi-line). Both scans are cached by
content (result_cache.py): an unchanged file or object is not scanned again.
The secret itself never appears: gitleaks runs with --redact and only its rule id, description
and location become a finding.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path

from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.rules import declare
from marty_platform.security import gitleaks
from marty_platform.security.rendered import index_of
from marty_platform.result_cache import scan_cached
from marty_platform.security.tree import tree_files

CHECK = "secrets"
RULES = declare(
    CHECK, "Secrets in the working tree and in the rendered objects of every env (gitleaks).",
    scanner_rules=(gitleaks.SCANNER_RULES,),
    module=__name__)
_ADVICE = ("the value is not shown; remove it, rotate the credential and deliver it through "
           "OpenBao (docs/secrets.md)")


def _fingerprint(ctx: RunContext, config: Path) -> str:
    return f"{ctx.manifest.fingerprint()};config={hashlib.sha256(config.read_bytes()).hexdigest()}"


def _scan(ctx: RunContext, scope: str, files: dict[str, bytes]) -> dict[str, list[dict]]:
    staging = ctx.scratch(f"gitleaks-{scope}")
    config = gitleaks.config_file(ctx.repo.root, staging)
    gitleaks.require_sound_config(config)  # before the cache: a cached scan is no excuse

    def run(directory):
        leaks = gitleaks.scan_directory(ctx.toolbox, directory / "files", config, directory,
                                        subject=scope)
        return [(leak.file, asdict(leak)) for leak in leaks]

    return scan_cached(ctx.cache_dir, "gitleaks", scope, _fingerprint(ctx, config), files,
                       staging / "files", lambda _: run(staging))


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    files = {name: path.read_bytes() for name, path in tree_files(ctx.repo,
                                                                   ctx.options.paths).items()}
    result.stats.checked = len(files)
    for name, leaks in sorted(_scan(ctx, "tree", files).items()):
        for leak in leaks:
            result.findings.append(finding(
                CHECK, gitleaks.RULE_PREFIX + leak["rule"], f"{leak['description']}: {_ADVICE}",
                file=name, line=leak["line"]))
    return [result]


def check_rendered(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    result = CheckResult(CHECK, env=batch.env)
    files = batch.object_files
    result.stats.checked = len(files)
    for name, leaks in sorted(_scan(ctx, f"rendered-{batch.env}", files).items()):
        obj = batch.objects[index_of(name)]
        for leak in leaks:
            result.findings.append(finding(
                CHECK, gitleaks.RULE_PREFIX + leak["rule"],
                f"{leak['description']} in the rendered object (line {leak['line']} of "
                f"`scripts/render --env {batch.env}`'s {obj.key}): {_ADVICE}",
                file=obj.file, line=obj.line, env=batch.env, resource=str(obj.key)))
    return [result]
