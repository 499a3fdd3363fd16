"""`scripts/scan`: the security scans that do not belong in `scripts/validate`, because they read
outside the repo (the licences of the installed packages and of the Go module cache), read
`.git/` (history), need the network (the dependency audit) or write an artifact (the SBOM).
The offline ones (licences, coverage of the tracked files) always run; the others when
asked.

One Report of the common model, so every validate format (text, json, markdown, github, sarif,
junit) works, and the scanner waivers of `policies/exceptions.yaml` apply.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from marty_platform.context import Options, build_context
from marty_platform.model import Report
from marty_platform.repo import Repo
from marty_platform.security import coverage, dependencies, go_modules, history, licences, sbom
from marty_platform.settings import Settings
from marty_platform.waivers import apply_waivers, load_waivers


@dataclass(frozen=True)
class ScanRequest:
    history: bool = False
    online: bool = False
    sbom: Path | None = None


def run_scan(repo: Repo, settings: Settings, request: ScanRequest) -> Report:
    report = Report()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        ctx = build_context(repo, Options(), pool, settings)
        try:
            # Read once: the licence check and the SBOM judge and list the same modules.
            modules = go_modules.compiled_modules(ctx)
            report.results.append(licences.check(ctx, modules))
            for tool in go_modules.unbuilt_tools(ctx):
                report.notes.append(
                    f"{tool} (tools.toml stage {go_modules.OPTIONAL_STAGE}) is not built here: "
                    "its Go modules are neither licence-checked nor in the SBOM; "
                    f"`scripts/bootstrap --stage {go_modules.OPTIONAL_STAGE}` builds it")
            if (repo.root / ".git").exists():
                report.results.append(coverage.check(repo.root))
            else:
                report.notes.append("coverage not checked: not a git repository (it reads the "
                                    "tracked files)")
            if request.history:
                report.results.append(history.check(ctx))
            if request.online:
                report.results.append(dependencies.check(ctx))
            else:
                report.notes.append("dependency audit (pip-audit) not run: it needs the "
                                    "network; run `scripts/scan --online`")
            if request.sbom:
                sbom.write_sbom(ctx, request.sbom, modules)
                report.notes.append(f"SBOM (CycloneDX JSON) written to {request.sbom}")
        finally:
            ctx.close()
    findings = [item for result in report.results for item in result.findings]
    report.findings = _waived(ctx, findings)
    return report


def _waived(ctx, findings):
    library = ctx.policies
    waivers, problems = load_waivers(ctx.repo, library.exceptions_file, set(library.rules))
    # Unused waivers are validate's to report: a scan sees only some scanners.
    return apply_waivers(findings, waivers, ctx.settings.today,
                         ctx.repo.rel(library.exceptions_file), report_unused=False) + problems
