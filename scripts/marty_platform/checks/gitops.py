"""GitOps wiring is consistent with the overlays.

Every overlay directory `overlays/<env>/<name>/` must be delivered exactly once by each delivery
system, and every delivery object must point at an overlay that exists:

- Argo CD: an Application (`spec.source.path` / `spec.sources[].path`; a source naming a remote
  `chart`, or only a `ref` for values, delivers no overlay) or an ApplicationSet git
  directory generator (each `overlays/<env>/*` pattern expands to the overlay directories it
  matches, minus its `exclude: true` patterns) references the overlay.
- Flux: a `kustomize.toolkit.fluxcd.io` Kustomization whose `spec.path` is
  `./rendered/<env>/<name>` (the rendered-manifests branch) or `./overlays/<env>/<name>`.

The delivery bootstrap overlays are each owned by one system: `gitops-argocd` is never applied by
Flux and `gitops-flux` never by Argo CD. Flux `dependsOn` must name Kustomizations that exist.
Objects are read from every YAML file under gitops/.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.repo import inside, kustomization_file
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import YamlError, load_file

CHECK = "gitops"
RULES = declare(
    CHECK, "Argo CD and Flux wiring: every overlay delivered once, by its one system.",
    Rule("dangling-path", "an Application, ApplicationSet or Flux Kustomization points at no "
         "overlay"),
    Rule("wrong-system", "an overlay is delivered by the system that does not own it"),
    Rule("argocd-orphan", "an overlay no Argo CD Application delivers"),
    Rule("flux-orphan", "an overlay no Flux Kustomization delivers"),
    Rule("argocd-duplicate", "an overlay delivered by more than one Argo CD Application"),
    Rule("flux-duplicate", "an overlay delivered by more than one Flux Kustomization"),
    Rule("flux-unknown-dependency", "a Flux Kustomization depends on one that does not exist"),
    module=__name__)
ARGO_ONLY = "gitops-argocd"
FLUX_ONLY = "gitops-flux"
_FLUX_PATH = re.compile(r"^(?:\./)?(?:rendered|overlays)/([^/]+)/([^/]+)/?$")


@dataclass(frozen=True)
class Ref:
    """One delivery object's claim on an overlay."""

    system: str  # "argocd" or "flux"
    env: str
    app: str
    file: str
    line: int
    what: str  # e.g. "Application dev-trust-anchor"


@dataclass
class Doc:
    data: dict
    file: str
    line: int


def _documents(root: Path) -> list[Doc]:
    docs: list[Doc] = []
    gitops = root / "gitops"
    if not gitops.is_dir():
        return docs
    for path in inside(root, gitops.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        try:
            loaded = load_file(path)
        except (OSError, YamlError):
            continue  # the yaml check reports it
        docs += [Doc(doc.data, rel, doc.line) for doc in loaded if isinstance(doc.data, dict)]
    return docs


def _overlays(root: Path) -> dict[tuple[str, str], str]:
    """(env, name) -> repo-relative kustomization file, for every overlay directory."""
    found = {}
    base = root / "overlays"
    if not base.is_dir():
        return found
    for env_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for app_dir in sorted(p for p in env_dir.iterdir() if p.is_dir()):
            kfile = kustomization_file(app_dir)
            if kfile:
                found[(env_dir.name, app_dir.name)] = kfile.relative_to(root).as_posix()
    return found


def _overlay_of(path: str) -> tuple[str, str] | None:
    parts = path.strip().lstrip("./").rstrip("/").split("/")
    if len(parts) == 3 and parts[0] == "overlays":
        return parts[1], parts[2]
    return None


def _argo_refs(doc: Doc, overlays: dict, result: CheckResult) -> list[Ref]:
    data, kind = doc.data, doc.data.get("kind")
    name = (data.get("metadata") or {}).get("name", "?")
    refs: list[Ref] = []
    if kind == "Application":
        spec = data.get("spec") or {}
        sources = ([spec["source"]] if isinstance(spec.get("source"), dict) else []) + [
            s for s in spec.get("sources") or [] if isinstance(s, dict)]
        for source in sources:
            if source.get("chart") or ("ref" in source and "path" not in source):
                continue  # a remote chart (a platform controller) or a values reference
            path = str(source.get("path") or "")
            target = _overlay_of(path)
            if target is None or target not in overlays:
                result.findings.append(finding(
                    CHECK, "dangling-path",
                    f"Application {name}: spec.source.path {path!r} is not an overlay directory "
                    "(overlays/<env>/<name> with a kustomization.yaml)",
                    file=doc.file, line=doc.line, resource=f"Application/{name}"))
                continue
            refs.append(Ref("argocd", *target, doc.file, doc.line, f"Application {name}"))
    elif kind == "ApplicationSet":
        for gen in (data.get("spec") or {}).get("generators") or []:
            git = (gen or {}).get("git") if isinstance(gen, dict) else None
            if not isinstance(git, dict):
                continue
            dirs = [d for d in git.get("directories") or [] if isinstance(d, dict)]
            include = [str(d.get("path", "")) for d in dirs if not d.get("exclude")]
            exclude = [str(d.get("path", "")) for d in dirs if d.get("exclude")]
            for pattern in include:
                matched = [key for key in overlays
                           if fnmatch.fnmatchcase(f"overlays/{key[0]}/{key[1]}", pattern)
                           and not any(fnmatch.fnmatchcase(f"overlays/{key[0]}/{key[1]}", ex)
                                       for ex in exclude)]
                if not matched:
                    result.findings.append(finding(
                        CHECK, "dangling-path",
                        f"ApplicationSet {name}: git directory pattern {pattern!r} matches no "
                        "overlay directory", file=doc.file, line=doc.line,
                        resource=f"ApplicationSet/{name}"))
                refs += [Ref("argocd", env, app, doc.file, doc.line,
                             f"ApplicationSet {name} ({pattern})") for env, app in matched]
    return refs


def _flux_ref(doc: Doc, overlays: dict, result: CheckResult) -> Ref | None:
    data = doc.data
    name = (data.get("metadata") or {}).get("name", "?")
    path = str((data.get("spec") or {}).get("path") or "")
    match = _FLUX_PATH.match(path)
    if not match or (match.group(1), match.group(2)) not in overlays:
        result.findings.append(finding(
            CHECK, "dangling-path",
            f"Flux Kustomization {name}: spec.path {path!r} does not correspond to an overlay "
            "(expected ./rendered/<env>/<name> for an existing overlays/<env>/<name>)",
            file=doc.file, line=doc.line, resource=f"Kustomization/{name}"))
        return None
    return Ref("flux", match.group(1), match.group(2), doc.file, doc.line,
               f"Kustomization {name}")


def check(ctx: RunContext) -> list[CheckResult]:
    return [check_root(ctx.repo.root)]


def check_root(root: Path) -> CheckResult:
    """The whole check on a repository root (also used by tests on a copy)."""
    result = CheckResult(CHECK)
    overlays = _overlays(root)
    docs = _documents(root)
    refs: list[Ref] = []
    flux_names: dict[str, set[str]] = {}
    flux_docs: list[tuple[Doc, str]] = []
    for doc in docs:
        api = str(doc.data.get("apiVersion") or "")
        kind = doc.data.get("kind")
        if api.startswith("argoproj.io/") and kind in ("Application", "ApplicationSet"):
            result.stats.checked += 1
            refs += _argo_refs(doc, overlays, result)
        elif api.startswith("kustomize.toolkit.fluxcd.io/") and kind == "Kustomization":
            result.stats.checked += 1
            ref = _flux_ref(doc, overlays, result)
            meta = doc.data.get("metadata") or {}
            if ref:
                refs.append(ref)
                flux_names.setdefault(ref.env, set()).add(meta.get("name", ""))
                flux_docs.append((doc, ref.env))

    for (env, app), kfile in sorted(overlays.items()):
        for system, label, excluded in (("argocd", "Argo CD Application", FLUX_ONLY),
                                        ("flux", "Flux Kustomization", ARGO_ONLY)):
            mine = [r for r in refs if r.system == system and (r.env, r.app) == (env, app)]
            if app == excluded:
                for r in mine:
                    result.findings.append(finding(
                        CHECK, "wrong-system",
                        f"{r.what} delivers overlays/{env}/{app}, which belongs to the other "
                        "delivery system", file=r.file, line=r.line))
                continue
            if not mine:
                result.findings.append(finding(
                    CHECK, f"{system}-orphan",
                    f"overlays/{env}/{app} is not delivered by any {label}; add it to the "
                    f"{env} ApplicationSet / Flux Kustomizations (`scripts/generate`) "
                    "or delete the overlay",
                    file=kfile, line=1, env=env))
            elif len(mine) > 1:
                for r in mine[1:]:
                    result.findings.append(finding(
                        CHECK, f"{system}-duplicate",
                        f"overlays/{env}/{app} is delivered {len(mine)} times by {label}s "
                        f"({', '.join(x.what for x in mine)}); keep exactly one",
                        file=r.file, line=r.line, env=env))

    for doc, env in flux_docs:
        name = (doc.data.get("metadata") or {}).get("name", "?")
        for dep in (doc.data.get("spec") or {}).get("dependsOn") or []:
            dep_name = dep.get("name") if isinstance(dep, dict) else None
            if dep_name not in flux_names.get(env, set()):
                result.findings.append(finding(
                    CHECK, "flux-unknown-dependency",
                    f"Flux Kustomization {name} dependsOn {dep_name!r}, which is no Kustomization "
                    f"of {env}", file=doc.file, line=doc.line, env=env))
    return result
