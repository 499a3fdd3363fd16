"""Every YAML file in the repo parses strictly; no symlink leads outside the repo or into .git/."""
from __future__ import annotations

import os

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.repo import YAML_SUFFIXES
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import RULES as YAML_RULES
from marty_platform.yamlio import YamlError, load_file

CHECK = "yaml"
RULES = declare(
    CHECK, "Every YAML file parses strictly; no path leads outside the repository.",
    *YAML_RULES,
    Rule("unreadable", "the file cannot be read"),
    Rule("symlink-outside-repo", "a symlink leads outside the repository or into .git/; it is "
         "not followed"),
    Rule("not-a-resource", "a document of a manifest file is not a Kubernetes object"),
    module=__name__)


def _is_template(rel: str) -> bool:
    """Helm templates are Go templates, not YAML; helm lint checks them."""
    parts = rel.split("/")
    return parts[0] == "charts" and "templates" in parts


def _symlink_escapes(repo) -> list:
    """Every symlink leading outside the repo or into .git/. Security findings: .validateignore
    does not hide them, and nothing reads through them."""
    findings = []
    for link in repo.symlinks():
        if repo.is_inside(link):
            continue
        target = link.resolve()
        git_dir = repo.root / ".git"
        where = ".git/, which is never an input" if target == git_dir or git_dir in \
            target.parents else "outside the repository"
        findings.append(finding(
            CHECK, "symlink-outside-repo",
            f"symlink leads into {where} ({os.readlink(link)}); it is not followed",
            file=link.relative_to(repo.root).as_posix()))
    return findings


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    repo = ctx.repo
    result.findings += _symlink_escapes(repo)
    for path in repo.walk_files():
        if path.is_symlink() and not repo.is_inside(path):
            continue  # reported above
        rel = repo.rel(path)
        if path.suffix not in YAML_SUFFIXES or _is_template(rel) or path.is_dir():
            continue
        result.stats.checked += 1
        try:
            load_file(path)
        except YamlError as exc:
            result.findings.append(finding(CHECK, exc.rule, exc.message, file=rel,
                                           line=exc.line))
        except OSError as exc:
            result.stats.not_checked += 1
            result.findings.append(finding(CHECK, "unreadable",
                                           f"cannot read file: {exc.strerror}", file=rel))
    return [result]
