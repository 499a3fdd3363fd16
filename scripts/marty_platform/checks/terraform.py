"""terraform fmt -check on terraform/, and the Terraform policies through conftest's HCL2 parser."""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform.checks.policy import outcomes, run_conftest
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import clean_output

CHECK = "terraform"
RULES = declare(
    CHECK, "Terraform formatting and syntax (`terraform fmt`).",
    Rule("syntax", "a file does not parse"),
    Rule("fmt", "a file is not in canonical format"),
    module=__name__)
POLICY_RULES = declare(
    "conftest-terraform", "The Rego policies for Terraform (conftest, HCL2 parser).",
    open_rules="policies/*/metadata.yaml; see [docs/policies.md](policies.md)",
    module=__name__)
# `terraform fmt` exits 3 listing the files it would reformat, and 2 with one diagnostic per
# syntax error: "Error: <summary>", a blank line, then "on <file> line <n>".
_UNFORMATTED, _SYNTAX = 3, 2
_DIAGNOSTIC = re.compile(r"Error: (?P<summary>[^\n]+)\n[│\s]*\n[│\s]*on (?P<file>\S+) line "
                         r"(?P<line>\d+)")


def check(ctx: RunContext) -> list[CheckResult]:
    root = ctx.repo.root / "terraform"
    tf_files = sorted(root.rglob("*.tf")) if root.is_dir() else []
    tf_files = [p for p in tf_files if ".terraform" not in p.parts]
    fmt = CheckResult(CHECK)
    if not tf_files:
        return [fmt]
    # Run from the repo root: terraform prints the files it lists relative to its working
    # directory.
    completed = ctx.toolbox.run("terraform", "fmt", "-check", "-recursive", "-list=true",
                                "-no-color", "terraform", cwd=ctx.repo.root,
                                problem_codes=(_SYNTAX, _UNFORMATTED), subject="terraform/")
    fmt.stats.checked = len(tf_files)
    unparsable: set[Path] = set()
    if completed.returncode == _SYNTAX:
        diagnostics = completed.reported(list(_DIAGNOSTIC.finditer(completed.stderr)),
                                         "syntax error")
        for match in diagnostics:
            path = Path(match.group("file"))
            path = path if path.is_absolute() else ctx.repo.root / path
            unparsable.add(path.resolve())
            fmt.findings.append(finding(CHECK, "syntax", clean_output(match.group("summary")),
                                        file=ctx.repo.rel(path), line=int(match.group("line"))))
    else:
        listed = completed.reported([line.strip() for line in completed.stdout.splitlines()
                                     if line.strip()], "unformatted file")
        for line in listed:
            fmt.findings.append(finding(CHECK, "fmt", "not in canonical format; run "
                                        "`terraform fmt -recursive terraform/`",
                                        file=ctx.repo.rel(ctx.repo.root / line)))
    # conftest's HCL2 parser would only fail on the files terraform could not parse either.
    parsable = [p for p in tf_files if p.resolve() not in unparsable]
    return [fmt, _policies(ctx, parsable)]


def _policies(ctx: RunContext, tf_files: list[Path]) -> CheckResult:
    library = ctx.policies
    result = CheckResult("conftest-terraform")
    if not library.terraform_namespaces or not tf_files:
        return result
    data_dirs = [str(library.data_dir)] if library.data_dir.is_dir() else []
    reports = run_conftest(ctx, library.terraform_namespaces, [str(p) for p in tf_files],
                           data_dirs, "--parser", "hcl2")
    result.stats.checked = len(tf_files)
    for report, item, default in outcomes(reports):
        rule = (item.get("metadata") or {}).get("rule", "policy")
        info = library.rules.get(rule)
        path = ctx.repo.root / report.get("filename", "")
        result.findings.append(finding(
            "conftest-terraform", rule, item.get("msg", ""),
            severity=Severity(info.severity) if info else default,
            file=ctx.repo.rel(path), line=_resource_line(path, item.get("msg", ""))))
    return result


# The Terraform policies start each message with the resource's address (`aws_s3_bucket.logs:`);
# conftest's HCL2 parser keeps no positions, so the line is that of the resource's block.
_ADDRESS = re.compile(r"^(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z_][\w-]*):")


def _resource_line(path: Path, message: str) -> int | None:
    match = _ADDRESS.match(message)
    if not match:
        return None
    block = re.compile(rf'^[ \t]*resource\s+"{match["type"]}"\s+"{re.escape(match["name"])}"', re.M)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = block.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None
