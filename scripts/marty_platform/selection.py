"""Path mode: what `scripts/validate PATH...` validates.

- `overlays/`, `overlays/<env>/` and overlay directories select those overlays.
- Any other path inside the repo is a source file (or directory) of the repo, changed or deleted
  (`scripts/validate $(git diff --name-only)`, the pre-commit hook). It selects what depends on
  it: the overlays whose kustomize graph reads it (charts and values files included), and the
  repo checks its area feeds (AREA_CHECKS: the catalog feeds the generated files and the GitOps
  wiring, monitoring/ the monitoring checks, and so on). A deleted path selects the overlays
  reading the directory it was in. Paths that feed nothing (README.md) are named in a note.
- Files outside the repo, and those under tests/ (fixtures) and rendered/ (`scripts/render`
  output), are rendered manifests, judged on their own.

The report says which repo checks ran and which were skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from marty_platform import checks
from marty_platform.errors import UsageError
from marty_platform.kustomize_graph import KustomizeGraph
from marty_platform.repo import SKIPPED_DIRS, YAML_SUFFIXES, Overlay, Repo, kustomization_file

# Every repo check, by its id (the name of its module).
ALL_REPO_CHECKS = tuple(checks.check_id(c) for c in
                        [*checks.PYTHON_REPO_CHECKS, *checks.TOOL_REPO_CHECKS])
# The repo checks a change under each top-level path feeds, besides the overlays rendering it.
# "generated" wherever a generator reads or writes (generators/__init__.py lists them).
AREA_CHECKS: dict[str, tuple[str, ...]] = {
    "catalog": ("yaml", "schema", "catalog", "generated", "gitops", "otelcol", "secrets"),
    "base": ("yaml", "generated", "secrets"),
    "overlays": ("yaml", "schema", "generated", "gitops", "terraform-alignment", "secrets"),
    "charts": ("yaml", "helm", "generated", "secrets"),
    "gitops": ("yaml", "generated", "gitops", "secrets"),
    "monitoring": ("yaml", "monitoring", "catalog", "generated", "otelcol", "tracing",
                   "amtool-template", "secrets"),
    "policies": ("yaml", "schema", "policy", "generated", "secrets", "iac-security"),
    "terraform": ("terraform", "tflint", "generated", "terraform-alignment", "terraform-lock",
                  "secrets", "iac-security"),
    ".tflint.hcl": ("tflint",),
    "schemas": ("yaml", "schema", "generated", "secrets"),
    "config": ("yaml", "schema", "secrets", "iac-security"),
    "docs": ("generated", "secrets"),
    ".validateignore": ("yaml",),
    "tools": ("otelcol", "secrets"),
    ".github": ("secrets", "workflow-security", "iac-security"),
    "scripts": ("secrets", "python-security"),
    "tools.toml": ALL_REPO_CHECKS,
}
# Directories of the repo holding rendered manifests rather than sources: the test suite's
# fixtures and `scripts/render --out rendered`.
MANIFEST_DIRS = {"tests", "rendered"}
# Areas whose files judge every rendered object rather than being rendered themselves.
EVERY_OVERLAY = {"policies", "tools.toml"}
# Files that do the same: the checkov checks skipped for every env's objects.
EVERY_OVERLAY_FILES = {"config/checkov.yaml"}


@dataclass
class Selection:
    overlays: list[Overlay] = field(default_factory=list)
    manifest_files: list[Path] = field(default_factory=list)
    repo_checks: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    sources: bool = False  # some path was a repo source file: say what ran and what did not


def select(repo: Repo, paths: tuple[Path, ...]) -> Selection:
    chosen = Selection()
    graph = _Dependents(repo)
    for raw in paths:
        path = Path(raw).absolute()
        inside = repo.is_inside(path)
        rel = path.resolve().relative_to(repo.root) if inside else None
        top = rel.parts[0] if rel and rel.parts else ""
        if not path.exists() and (rel is None or not (repo.root / top).exists()):
            # A deleted file (git diff lists them) is in a directory of the repo that still is.
            raise UsageError(f"{raw}: no such file or directory")
        if rel is None:
            chosen.manifest_files += _manifest_files(path)
            continue
        resolved = path.resolve()
        if top == "overlays" and resolved.is_dir() and _overlay_selector(repo, resolved, raw,
                                                                          chosen):
            continue
        if top in AREA_CHECKS:
            _select_source(repo, graph, resolved, rel, top, chosen)
        elif not rel.parts or top in SKIPPED_DIRS:
            chosen.notes.append(f"{raw}: not validated (the repo root, tool output or caches); "
                                "run scripts/validate without paths for the whole repo")
        elif top in MANIFEST_DIRS and (resolved.is_dir() or
                                       resolved.suffix in (*YAML_SUFFIXES, ".json")):
            chosen.manifest_files += _manifest_files(resolved)
        else:
            chosen.sources = True
            gone = "" if resolved.exists() else "does not exist (deleted?) and "
            chosen.notes.append(f"{rel.as_posix()}: {gone}feeds no check (nothing renders or "
                                "checks it)")
    chosen.overlays = _unique(chosen.overlays)
    if "terraform-alignment" in chosen.repo_checks:
        unrendered = sorted(set(repo.envs()) - {o.env for o in chosen.overlays})
        if unrendered:
            chosen.notes.append(
                "terraform-alignment: IRSA roles and the data tier are checked against rendered "
                f"envs only; not rendered here: {', '.join(unrendered)} (add overlays/<env>/ or "
                "run without paths)")
    ran = [c for c in ALL_REPO_CHECKS if c in chosen.repo_checks]
    skipped = [c for c in ALL_REPO_CHECKS if c not in chosen.repo_checks]
    if chosen.sources:
        chosen.notes.append(f"repo checks run: {', '.join(ran) or 'none'}; skipped, as the "
                            f"given paths do not feed them: {', '.join(skipped) or 'none'}")
    elif chosen.overlays:
        chosen.notes.append(f"repo checks skipped: {', '.join(skipped)}. Overlay paths select "
                            "rendering only; give the changed files (scripts/validate $(git diff "
                            "--name-only)) or no path to run the checks they feed")
    return chosen


def _overlay_selector(repo: Repo, path: Path, raw, chosen: Selection) -> bool:
    """overlays/, overlays/<env>/ or an overlay directory: today's overlay mode."""
    parts = path.relative_to(repo.root).parts
    if path == repo.root / "overlays" or (len(parts) == 2 and path.parent == repo.root /
                                          "overlays" and parts[1] in repo.envs()):
        chosen.overlays += repo.overlays([parts[1]] if len(parts) == 2 else None)
        return True
    if len(parts) == 3 and kustomization_file(path):
        chosen.overlays.append(Overlay(parts[1], parts[2], path))
        return True
    return False


def _select_source(repo: Repo, graph: "_Dependents", path: Path, rel: Path, top: str,
                   chosen: Selection) -> None:
    chosen.sources = True
    chosen.repo_checks.update(AREA_CHECKS[top])
    if top in EVERY_OVERLAY or rel.as_posix() in EVERY_OVERLAY_FILES:
        chosen.overlays += repo.overlays()
        return
    parts = rel.parts
    if top == "overlays" and len(parts) == 3 and parts[2] == "env.yaml":
        chosen.overlays += repo.overlays([parts[1]])  # the env's config judges all its overlays
        return
    anchor = path
    if not path.exists():
        while not anchor.exists():
            anchor = anchor.parent
        where = f"{repo.rel(anchor)}/" if anchor != repo.root else "the repo"
        chosen.notes.append(f"{rel.as_posix()}: does not exist (deleted?); selecting the "
                            f"overlays that read {where}")
    found = graph.reading(anchor)
    chosen.overlays += found
    if not found and top in ("base", "charts", "overlays"):
        chosen.notes.append(f"{rel.as_posix()}: no overlay reads it")


class _Dependents:
    """Which overlays read a path, from each overlay's kustomize closure (computed once)."""

    def __init__(self, repo: Repo):
        self.repo = repo
        self._closures: dict[Overlay, set[Path]] | None = None

    def reading(self, path: Path) -> list[Overlay]:
        if self._closures is None:
            graph = KustomizeGraph(self.repo)
            self._closures = {o: graph.closure(o.path)[0] for o in self.repo.overlays()}
        if path == self.repo.root:
            return list(self._closures)
        return [o for o, files in self._closures.items()
                if any(f == path or path in f.parents for f in files)]


def _manifest_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in
                      (*YAML_SUFFIXES, ".json"))
    return [path]


def _unique(overlays: list[Overlay]) -> list[Overlay]:
    seen: dict[Path, Overlay] = {}
    for overlay in overlays:
        seen.setdefault(overlay.path, overlay)
    return list(seen.values())
