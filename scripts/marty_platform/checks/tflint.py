"""tflint, with the Terraform rule set bundled in the pinned binary, on every Terraform directory.

Each module, env root and example under terraform/ is linted on its own with the repo's
`.tflint.hcl`. Nothing is downloaded and nothing outside the repo is read or run:
- the config is read first and refused unless it asks only for the bundled `terraform` plugin
  (no other plugin, no `plugin_dir`, no `varfile`, module calls not followed);
- `--call-module-type=none` on the command line (which overrides the config): tflint never opens a
  called module's directory;
- module sources are read before tflint runs: one that is an absolute path or leaves the repo is a
  finding, and that directory is not linted; so is a .tf file that is a symlink out of the repo;
- plugins are looked up only in the private `TFLINT_PLUGIN_DIR` of the sealed environment, which
  must be empty, so the bundled rule set is the one that runs.
A file tflint cannot parse is a finding at its line (`tflint/parse`).
"""
from __future__ import annotations

from pathlib import Path

from marty_platform import hcl, terraform_tree
from marty_platform.context import RunContext
from marty_platform.errors import ToolError
from marty_platform.model import CheckResult, Finding, finding
from marty_platform.rules import Rule, declare

CHECK = "tflint"
CONFIG = ".tflint.hcl"
# The rules of the bundled rule set (tflint-ruleset-terraform 0.15.0 in tflint 0.64.0), each
# reported under its own id. `.tflint.hcl` says which are enabled.
BUNDLED_RULES = {
    "terraform_comment_syntax": "`#` comments, not `//`",
    "terraform_deprecated_index": "list index as `[0]`, not `.0`",
    "terraform_deprecated_interpolation": "no interpolation-only expressions (`\"${var.x}\"`)",
    "terraform_deprecated_lookup": "no `lookup()` with two arguments",
    "terraform_documented_outputs": "every output has a description",
    "terraform_documented_variables": "every variable has a description",
    "terraform_empty_list_equality": "no comparison with an empty list",
    "terraform_json_syntax": ".tf.json files follow Terraform's JSON syntax",
    "terraform_map_duplicate_keys": "no duplicate keys in a map literal",
    "terraform_module_pinned_source": "git and mercurial module sources pin a ref",
    "terraform_module_shallow_clone": "git module sources clone shallowly",
    "terraform_module_version": "registry module sources pin an exact version",
    "terraform_naming_convention": "block names in snake_case",
    "terraform_required_providers": "every provider used has a source and version in required_providers",
    "terraform_required_version": "`required_version` is set",
    "terraform_standard_module_structure": "main.tf, variables.tf and outputs.tf, each holding "
                                           "its kind of block",
    "terraform_typed_variables": "every variable has a type",
    "terraform_unused_declarations": "no variable, local or data source that nothing uses",
    "terraform_unused_required_providers": "no required provider that nothing uses",
    "terraform_workspace_remote": "no `terraform.workspace` with a remote backend",
}
RULES = declare(
    CHECK, "tflint with its bundled Terraform rule set (`.tflint.hcl`) on every module, env "
    "root and example, offline.",
    Rule("config", "`.tflint.hcl` is missing or asks for something validation does not run (a "
         "plugin other than the bundled terraform rule set, a plugin_dir, a varfile, module "
         "calls followed, a rule the bundled set does not have)"),
    Rule("outside-repo", "a module source is an absolute path or leaves the repository, or a "
         ".tf file is a symlink leading out of it; the directory is not linted"),
    Rule("parse", "a .tf file does not parse"),
    *(Rule(name, doc) for name, doc in BUNDLED_RULES.items()),
    module=__name__)
_CONFIG_ATTRIBUTES = {"call_module_type", "force", "disabled_by_default", "format"}
_PLUGIN_ATTRIBUTES = {"enabled", "preset"}
_NO_ISSUES, _ERRORS, _ISSUES = 0, 1, 2


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    directories = terraform_tree.directories(ctx.repo.root)
    if not directories:
        return [result]
    config = ctx.repo.root / CONFIG
    result.findings += config_problems(ctx, config)
    if result.findings:
        return [result]
    _require_no_plugins(ctx)
    for directory in directories:
        blocked = outside_repo(ctx, directory)
        result.findings += blocked
        if not blocked:
            result.findings += _lint(ctx, directory, config)
            result.stats.checked += len(terraform_tree.tf_files(directory))
    return [result]


def config_problems(ctx: RunContext, config: Path) -> list[Finding]:
    rel = CONFIG

    def problem(message: str, line: int | None = None) -> Finding:
        return finding(CHECK, "config", message, file=rel, line=line)

    if not config.is_file() or not ctx.repo.is_inside(config):
        return [problem(f"{CONFIG} is missing (or leads outside the repository): tflint would "
                        "run with defaults")]
    try:
        parsed = hcl.read(config)
    except hcl.HclError as exc:
        return [finding(CHECK, "parse", exc.message, file=rel, line=exc.line)]
    problems = []
    for block in parsed.blocks:
        if block.type == "config":
            for name, line in block.lines.items():
                if name not in _CONFIG_ATTRIBUTES:
                    problems.append(problem(f"config.{name} is not allowed: validation reads "
                                            "nothing outside the repo and runs no plugin", line))
            mode = block.body.get("call_module_type", "none")
            if mode != "none":
                problems.append(problem(f"call_module_type = {mode!r}: module calls are not "
                                        "followed; use \"none\"",
                                        block.lines.get("call_module_type")))
        elif block.type == "plugin":
            if block.labels != ("terraform",):
                problems.append(problem(f"plugin {' '.join(block.labels)!r}: only the bundled "
                                        "terraform rule set runs (plugins are never downloaded)",
                                        block.line))
            for name, line in block.lines.items():
                if name not in _PLUGIN_ATTRIBUTES:
                    problems.append(problem(f"plugin.{name} is not allowed: the bundled rule "
                                            "set takes no source, version or signing key", line))
        elif block.type == "rule":
            if block.name not in BUNDLED_RULES:
                problems.append(problem(f"rule {block.name!r} is not in the bundled terraform "
                                        "rule set", block.line))
        else:
            problems.append(problem(f"unknown block {block.type!r}", block.line))
    return problems


def outside_repo(ctx: RunContext, directory: Path) -> list[Finding]:
    """Module sources and .tf files of `directory` that lead outside the repo, and files that do
    not parse (their sources cannot be read)."""
    problems = []
    for path in terraform_tree.tf_files(directory):
        rel = ctx.repo.rel(path.parent) + "/" + path.name
        if not ctx.repo.is_inside(path):
            problems.append(finding(CHECK, "outside-repo", "symlink leading outside the "
                                    "repository; not followed", file=rel))
            continue
        try:
            parsed = hcl.read(path)
        except hcl.HclError as exc:
            problems.append(finding(CHECK, "parse", exc.message, file=rel, line=exc.line))
            continue
        for block in parsed.of_type("module"):
            source = block.body.get("source")
            reason = _escapes(ctx, directory, source) if isinstance(source, str) else None
            if reason:
                problems.append(finding(CHECK, "outside-repo", f"module {block.name!r}: source "
                                        f"{source!r} {reason}", file=rel,
                                        line=block.lines.get("source", block.line)))
    return problems


def _escapes(ctx: RunContext, directory: Path, source: str) -> str | None:
    if source.startswith("/") or source.startswith("file:") or source.startswith("~"):
        return "is an absolute path; use a relative path inside the repository"
    if source.startswith(("./", "../")) or source in (".", ".."):
        if not ctx.repo.is_inside(directory / source):
            return "leads outside the repository"
    return None


def _require_no_plugins(ctx: RunContext) -> None:
    plugins = Path(ctx.toolbox.environment()["TFLINT_PLUGIN_DIR"])
    plugins.mkdir(parents=True, exist_ok=True)
    if any(plugins.iterdir()):
        raise ToolError(f"{plugins}: tflint plugin directory is not empty; validation runs only "
                        "the bundled rule set (remove it)")


def _lint(ctx: RunContext, directory: Path, config: Path) -> list[Finding]:
    rel = ctx.repo.rel(directory)
    completed = ctx.toolbox.run(
        "tflint", f"--chdir={directory}", f"--config={config}", "--format=json", "--no-color",
        "--call-module-type=none", cwd=ctx.repo.root, ok_codes=(_NO_ISSUES,),
        problem_codes=(_ERRORS, _ISSUES), subject=rel + "/")
    report = completed.json()
    if not isinstance(report, dict):
        raise completed.failed("printed unreadable output")
    issues = report.get("issues") or []
    errors = report.get("errors") or []
    found = []
    for issue in issues:
        where = issue.get("range") or {}
        found.append(finding(CHECK, (issue.get("rule") or {}).get("name", ""),
                             issue.get("message", ""), file=_file(ctx, where),
                             line=_line(where)))
    for error in errors:
        where = error.get("range")
        if not where:  # tflint itself failed (a config it could not load, a plugin it could not run)
            raise completed.failed(f"failed: {error.get('message', '')}")
        message = ": ".join(p for p in (error.get("summary"), error.get("message")) if p)
        found.append(finding(CHECK, "parse", message, file=_file(ctx, where), line=_line(where)))
    return list(completed.reported(found, "issue"))


def _file(ctx: RunContext, where: dict) -> str:
    name = where.get("filename") or ""
    return ctx.repo.rel(ctx.repo.root / name) if name else ""


def _line(where: dict) -> int | None:
    line = (where.get("start") or {}).get("line")
    return line if isinstance(line, int) and line > 0 else None
