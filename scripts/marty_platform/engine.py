"""Runs a validation: discovers inputs, renders, fans checks out over one pool, collects findings."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from marty_platform import checks
from marty_platform.batch import EnvBatch
from marty_platform.context import Options, RunContext
from marty_platform.envconfig import EnvConfig, load_env_config
from marty_platform.errors import MartyError, UsageError
from marty_platform.manifests import StagedBatch, load_manifest_file
from marty_platform.model import CheckResult, Finding, ManifestObject, Severity, finding
from marty_platform.render import Renderer
from marty_platform.repo import YAML_SUFFIXES, Overlay, Repo, kustomization_file
from marty_platform.tools.manifest import load_manifest
from marty_platform.tools.runner import ToolBox
from marty_platform.waivers import apply_waivers, load_waivers

DEFAULT_MANIFEST_ENV = "prod"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def build_context(repo: Repo, options: Options, pool: ThreadPoolExecutor) -> RunContext:
    cache_dir = options.cache_dir or Path(os.environ.get("MARTY_CACHE_DIR") or
                                          repo.root / ".cache")
    manifest = load_manifest(repo.root / "tools.toml")
    toolbox = ToolBox(Path(os.environ.get("MARTY_TOOLS_BIN") or repo.root / ".tools" / "bin"),
                      cache_dir / "home", root=repo.root)
    return RunContext(repo=repo, options=options, manifest=manifest, toolbox=toolbox,
                      cache_dir=cache_dir, pool=pool)


def _classify(repo: Repo, paths: tuple[Path, ...]) -> tuple[list[Overlay], list[Path]]:
    overlays, manifest_files = [], []
    for raw in paths:
        path = raw.resolve()
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_dir() and kustomization_file(path):
            parts = path.relative_to(repo.root).parts if repo.is_inside(path) else ()
            if len(parts) == 3 and parts[0] == "overlays":
                overlays.append(Overlay(parts[1], parts[2], path))
            else:
                raise UsageError(f"{raw}: a kustomization outside overlays/<env>/<app>/; "
                                 "pass an overlay directory or rendered manifest files")
        elif path.is_dir() and _overlay_root(repo, path):
            env = path.name if path != repo.root / "overlays" else None
            overlays += repo.overlays([env] if env else None)
        elif path.is_dir():
            manifest_files += sorted(p for p in path.rglob("*")
                                     if p.is_file() and p.suffix in (*YAML_SUFFIXES, ".json"))
        else:
            manifest_files.append(path)
    return overlays, manifest_files


def _overlay_root(repo: Repo, path: Path) -> bool:
    """overlays/ or overlays/<env>/: shorthand for every overlay below it."""
    return path in (repo.root / "overlays", *(repo.root / "overlays" / e for e in repo.envs()))


def _display(repo: Repo, path: Path) -> str:
    return repo.rel(path) if repo.is_inside(path) else str(path)


def run_validation(repo: Repo, options: Options) -> Report:
    jobs = options.jobs or os.cpu_count() or 2
    options = replace(options, jobs=jobs)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        ctx = build_context(repo, options, pool)
        try:
            return _validate(ctx)
        finally:
            if ctx.run_dir is not None:
                shutil.rmtree(ctx.run_dir, ignore_errors=True)


def _select(ctx: RunContext) -> tuple[list[Overlay], list[Path], list[str]]:
    """What this run validates: overlays, manifest files, and the envs they belong to."""
    repo, options = ctx.repo, ctx.options
    if ctx.full_repo:
        return repo.overlays(list(options.envs) or None), [], list(options.envs) or repo.envs()
    overlays, manifest_files = _classify(repo, options.paths)
    if options.envs:
        overlays = [o for o in overlays if o.env in options.envs]
    manifest_envs = set(options.envs or [DEFAULT_MANIFEST_ENV]) if manifest_files else set()
    return overlays, manifest_files, sorted({o.env for o in overlays} | manifest_envs)


def _render(ctx: RunContext, renderer: Renderer, overlays: list[Overlay],
            objects: dict[str, list[ManifestObject]]) -> CheckResult:
    result = CheckResult("kustomize")
    for rendered in ctx.pool.map(renderer.render, overlays):
        result.stats.checked += 1
        result.findings += rendered.findings
        objects[rendered.overlay.env] += rendered.objects
    return result


def _load_manifests(ctx: RunContext, paths: list[Path],
                    objects: dict[str, list[ManifestObject]]) -> list[CheckResult]:
    results = []
    for path in paths:
        for env in ctx.options.envs or (DEFAULT_MANIFEST_ENV,):
            loaded, problems = load_manifest_file(path, _display(ctx.repo, path), env)
            objects[env] += loaded
            results.append(CheckResult("yaml", env=env, findings=problems))
    return results


def _validate(ctx: RunContext) -> Report:
    overlays, manifest_files, envs = _select(ctx)
    for env in envs:
        ctx.env_configs[env] = load_env_config(ctx.repo, env)
    report = Report(envs=envs)

    # Repo checks that run tools start first and overlap with rendering.
    tool_futures: list[Future] = []
    if ctx.full_repo:
        for repo_check in checks.PYTHON_REPO_CHECKS:
            report.results += _guarded(repo_check, ctx)
        tool_futures = [ctx.pool.submit(_guarded, c, ctx) for c in checks.TOOL_REPO_CHECKS]

    objects: dict[str, list[ManifestObject]] = {env: [] for env in envs}
    renderer = Renderer(ctx.repo, ctx.toolbox, ctx.cache_dir, ctx.manifest.fingerprint())
    if overlays:
        report.results.append(_render(ctx, renderer, overlays, objects))
    context = _env_context(ctx, renderer, overlays)
    report.results += _load_manifests(ctx, manifest_files, objects)

    batch_futures = []
    for env in envs:
        staged = StagedBatch.write(env, ctx.scratch(f"objects-{env}"), objects[env],
                                   context.get(env, []))
        batch = EnvBatch(ctx.env_configs[env], staged)
        batch_futures += [ctx.pool.submit(_guarded, c, ctx, batch) for c in checks.MANIFEST_CHECKS]
    for future in [*batch_futures, *tool_futures]:
        report.results += future.result()

    if ctx.full_repo:
        renderer.prune()
    findings = [f for result in report.results for f in result.findings]
    findings = _escalate(_apply_waivers(ctx, findings), ctx.env_configs)
    report.findings = _dedupe(findings)
    return report


def _guarded(check, *args) -> list[CheckResult]:
    """Run one check; a bug in it becomes a finding instead of ending the whole run.
    Usage and tooling errors (MartyError) still stop the run: they affect every check."""
    try:
        return check(*args)
    except MartyError:
        raise
    except Exception as exc:  # noqa: BLE001 - collect, don't abort
        name = check.__module__.rsplit(".", 1)[-1]
        return [CheckResult(name, findings=[finding(
            name, "internal-error", f"the {name} check failed: {type(exc).__name__}: {exc}")])]


def _env_context(ctx: RunContext, renderer: Renderer,
                 overlays: list[Overlay]) -> dict[str, list[ManifestObject]]:
    """When only some overlays are validated, the rest of their env, rendered (from cache when
    possible) so cross-object rules (a namespace's default-deny policy, a workload's PDB) see
    the whole env. Its objects are context only: nothing is reported about them."""
    if ctx.full_repo or not overlays:
        return {}
    chosen = {o.path for o in overlays}
    others = [o for o in ctx.repo.overlays(sorted({o.env for o in overlays}))
              if o.path not in chosen]
    context: dict[str, list[ManifestObject]] = {}
    for rendered in ctx.pool.map(renderer.render, others):
        context.setdefault(rendered.overlay.env, []).extend(rendered.objects)
    return context


def _apply_waivers(ctx: RunContext, findings: list[Finding]) -> list[Finding]:
    library = ctx.policies
    waivers, problems = load_waivers(library.exceptions_file, ctx.repo.rel(library.exceptions_file))
    today = dt.date.fromisoformat(ctx.options.today) if ctx.options.today else dt.date.today()
    return apply_waivers(findings, waivers, today, ctx.repo.rel(library.exceptions_file),
                         report_unused=ctx.full_repo and not ctx.options.envs) + problems


def _escalate(findings: list[Finding], configs: dict[str, EnvConfig]) -> list[Finding]:
    """Warnings become errors in an env whose strictness says so."""
    strict = {name for name, config in configs.items() if config.warnings_are_errors}
    return [replace(f, severity=Severity.ERROR)
            if f.severity is Severity.WARNING and f.env in strict else f for f in findings]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same problem found through two overlays or two checks is reported once."""
    seen, result = set(), []
    for item in sorted(findings, key=lambda f: (f.file, f.line or 0, f.env, f.check, f.rule)):
        per_env = item.check not in ("yaml", "kustomize")
        key = (item.file, item.line, item.check, item.rule, item.message, item.resource,
               item.env if per_env else "")
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result
