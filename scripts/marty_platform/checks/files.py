"""Every YAML file in the repo parses strictly; no symlink leads outside the repo."""
from __future__ import annotations

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.repo import YAML_SUFFIXES
from marty_platform.yamlio import YamlError, load_file

CHECK = "yaml"


def _is_template(rel: str) -> bool:
    """Helm templates are Go templates, not YAML; helm lint checks them."""
    parts = rel.split("/")
    return parts[0] == "charts" and "templates" in parts


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    repo = ctx.repo
    for path in repo.walk_files():
        rel = repo.rel(path) if repo.is_inside(path) else path.relative_to(repo.root).as_posix()
        if path.is_symlink() and not repo.is_inside(path):
            result.findings.append(finding(
                CHECK, "symlink-outside-repo",
                f"symlink points outside the repository ({path.resolve()}); it is not followed",
                file=path.relative_to(repo.root).as_posix()))
            continue
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
