"""terraform fmt -check on terraform/, and the Terraform policies through conftest's HCL2 parser."""
from __future__ import annotations

import json

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.tools.runner import run

CHECK = "terraform"


def check(ctx: RunContext) -> list[CheckResult]:
    root = ctx.repo.root / "terraform"
    tf_files = sorted(root.rglob("*.tf")) if root.is_dir() else []
    tf_files = [p for p in tf_files if ".terraform" not in p.parts]
    fmt = CheckResult(CHECK)
    if not tf_files:
        return [fmt]
    completed = run(ctx.toolbox.command("terraform", "fmt", "-check", "-recursive", "-list=true",
                                        "-no-color", str(root), ok_codes=(0, 3)))
    fmt.stats.checked = len(tf_files)
    for line in completed.stdout.splitlines():
        if line.strip():
            fmt.findings.append(finding(CHECK, "fmt", "not in canonical format; run "
                                        "`terraform fmt -recursive terraform/`",
                                        file=ctx.repo.rel(root / line.strip())))
    if completed.returncode not in (0, 3) or (completed.returncode == 3 and not fmt.findings):
        fmt.findings.append(finding(CHECK, "fmt", completed.stderr.strip()[:800] or
                                    "terraform fmt failed", file="terraform"))
    return [fmt, _policies(ctx, tf_files)]


def _policies(ctx: RunContext, tf_files: list) -> CheckResult:
    library = ctx.policies
    result = CheckResult("conftest-terraform")
    if not library.terraform_namespaces:
        return result
    args = ["test", "--no-color", "--output", "json", "--parser", "hcl2",
            "--policy", str(library.root)]
    if library.data_dir.is_dir():
        args += ["--data", str(library.data_dir)]
    for namespace in library.terraform_namespaces:
        args += ["--namespace", namespace]
    completed = run(ctx.toolbox.command("conftest", *args, *map(str, tf_files), ok_codes=(0, 1)))
    result.stats.checked = len(tf_files)
    try:
        reports = json.loads(completed.stdout) if completed.stdout.strip() else []
    except json.JSONDecodeError:
        result.findings.append(finding("conftest-terraform", "error",
                                       (completed.stderr or completed.stdout)[:800],
                                       file="terraform"))
        return result
    for report in reports:
        for kind, default in (("failures", Severity.ERROR), ("warnings", Severity.WARNING)):
            for item in report.get(kind) or []:
                rule = (item.get("metadata") or {}).get("rule", "policy")
                info = library.rules.get(rule)
                result.findings.append(finding(
                    "conftest-terraform", rule, item.get("msg", ""),
                    severity=Severity(info.severity) if info else default,
                    file=ctx.repo.rel(ctx.repo.root / report.get("filename", ""))))
    return result
