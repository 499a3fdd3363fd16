"""Which scanners cover which kind of file: the table docs/security.md shows (generated), and the
check that every tracked file is of a kind the table names (`scripts/scan`).

Every file is scanned for secrets (gitleaks reads the whole working tree); the table says what
else looks at each kind. A tracked file that matches no kind is a finding: a new kind of file
(a Dockerfile, say) needs a decision about which scanner covers it before it counts as covered,
so coverage stays complete as the repo grows.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from marty_platform.model import CheckResult, finding
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import Command, git_environment, run

CHECK = "coverage"
RULES = declare(
    CHECK, "Every tracked file is of a kind the security coverage table names "
    "(docs/security.md#coverage; `scripts/scan`).",
    Rule("uncovered", "a tracked file matches no kind of the coverage table"),
    module=__name__)
SECRETS = "gitleaks (secrets; validate)"


@dataclass(frozen=True)
class FileKind:
    what: str
    patterns: tuple[str, ...]  # fnmatch patterns on the repo-relative path (`*` crosses `/`)
    scanners: tuple[str, ...]  # besides gitleaks, which reads every file


KINDS: tuple[FileKind, ...] = (
    FileKind("GitHub workflows and actions", (".github/workflows/*.yaml", ".github/actions/*.yml"),
             ("zizmor", "checkov (github_actions)", "actionlint (tests)")),
    FileKind("Kustomize bases, components and overlays", ("base/*.yaml", "base/*.json",
                                                          "overlays/*.yaml"),
             ("rendered: kubeconform, conftest (Rego), checkov (kubernetes), gitleaks",)),
    FileKind("Helm charts", ("charts/*.yaml", "charts/*.json", "charts/*.tpl", "charts/*.md",
                             "charts/*/.helmignore"),
             ("helm lint", "rendered: kubeconform, conftest (Rego), checkov, gitleaks")),
    FileKind("Argo CD and Flux wiring", ("gitops/*.yaml",),
             ("rendered through overlays/<env>/gitops-*: kubeconform, conftest, checkov",
              "delivery-access")),
    FileKind("Service catalog", ("catalog/*.yaml",), ("JSON schema", "catalog references")),
    FileKind("Terraform", ("terraform/*.tf", "terraform/*.md", "terraform/*.tfvars"),
             ("terraform fmt", "conftest (Rego, HCL2)", "checkov (terraform)")),
    FileKind("Monitoring rules, SLOs, Alertmanager, dashboards", ("monitoring/*",),
             ("promtool", "amtool", "metric references")),
    FileKind("Rego policies and their data", ("policies/*",),
             ("conftest verify (unit tests)", "JSON schema (exceptions.yaml)")),
    FileKind("JSON schemas and CRD schemas", ("schemas/*",),
             ("schema self-checks", "generated/crd-schemas (sha256 of each copy)")),
    FileKind("Tooling settings", ("config/*",),
             ("JSON schema (drift ignore rules)", "the scanners' own configs, read by them")),
    FileKind("Tooling (Python)", ("scripts/*.py",), ("bandit", "ruff")),
    FileKind("Tooling executables (bash wrappers)", ("scripts/*", "bench/*.sh", ".ci/run"),
             ()),
    FileKind("Tests, fixtures and benchmarks", ("tests/*", "bench/*"), ("ruff",)),
    FileKind("Documentation", ("*.md",), ()),
    FileKind("Dependency and tool pins", ("pyproject.toml", "tools.toml", "requirements/*.lock"),
             ("python-lock (scripts/lock --check; tests)", "pip-audit of the locks (scan --online)",
              "licences (scan)", "cyclonedx SBOM (scan --sbom)")),
    FileKind("Repository settings", ("Makefile", ".gitignore", ".gitattributes",
                                     ".validateignore", ".pre-commit-config.yaml",
                                     ".pre-commit-hooks.yaml", ".editorconfig", ".tflint.hcl",
                                     ".github/CODEOWNERS"), ()),
    FileKind("Editor and development container settings", (".vscode/*.json", ".devcontainer/*.json"),
             ("JSON schema (.vscode/settings.json is generated)",)),
    FileKind("Renovate configuration", ("renovate.json",), ("Renovate's JSON schema (tests)",)),
    FileKind("Tool build modules and their refresh scripts", ("tools/*",),
             ("go.sum verified by the Go checksum database at build",
              "licences (scan)")),
)


def kind_of(path: str) -> FileKind | None:
    return next((kind for kind in KINDS
                 if any(fnmatch.fnmatchcase(path, pattern) for pattern in kind.patterns)), None)


def tracked_files(root: Path) -> list[str]:
    completed = run(Command(argv=("git", "ls-files", "-z"), env=git_environment(), cwd=root,
                            subject="tracked files"))
    return sorted(name for name in completed.stdout.split("\0") if name)


def check(root: Path) -> CheckResult:
    result = CheckResult(CHECK)
    for name in tracked_files(root):
        result.stats.checked += 1
        if kind_of(name) is None:
            result.findings.append(finding(
                CHECK, "uncovered", "no kind of the security coverage table matches this "
                "file; add its kind and scanners to scripts/marty_platform/security/coverage.py "
                "and run `scripts/generate`", file=name))
    return result


def table() -> str:
    rows = ["| kind of file | path patterns | scanned by |", "|---|---|---|"]
    for kind in KINDS:
        patterns = ", ".join(f"`{p}`" for p in kind.patterns)
        rows.append(f"| {kind.what} | {patterns} | {'; '.join((SECRETS, *kind.scanners))} |")
    return "\n".join(rows)
