"""Runs a validation: discovers inputs, renders, fans checks out over one pool, collects findings."""
from __future__ import annotations

import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from marty_platform import checks, selection
from marty_platform.batch import EnvBatch
from marty_platform.check_inputs import (
    READS_GIVEN_PATHS,
    REPO_CHECK_AREAS,
    WHOLE_TREE,
    InputIndex,
    tooling_digest,
)
from marty_platform.context import Options, RunContext, build_context
from marty_platform.envconfig import EnvConfig, load_env_config, manifest_env
from marty_platform.errors import MartyError, UsageError
from marty_platform.manifests import StagedBatch, load_manifest_file
from marty_platform.model import CheckResult, Finding, ManifestObject, Report, Severity, finding
from marty_platform.render import Renderer
from marty_platform.repo import Overlay, Repo
from marty_platform.result_cache import ResultCache, key_of
from marty_platform.selection import Selection
from marty_platform.settings import Settings
from marty_platform.waivers import apply_waivers, load_waivers

if TYPE_CHECKING:  # the engine only needs a progress at run time
    from marty_platform.report.progress import Progress


def _refuse_other_env(raw: Path, path: Path, repo: Repo, envs: tuple[str, ...]) -> None:
    """An overlay (or overlays/<env>/) named on the command line that --env leaves out would be
    silently skipped: that is a contradiction in the command, not a clean run."""
    parts = path.relative_to(repo.root).parts if repo.is_inside(path) else ()
    if envs and len(parts) >= 2 and parts[0] == "overlays" and parts[1] not in envs \
            and path.is_dir():
        raise UsageError(f"{raw} belongs to env {parts[1]!r}, which --env "
                         f"{', '.join(envs)} leaves out")


def _leads_outside(repo: Repo, path: Path) -> bool:
    """A file found inside the repo (in a directory given on the command line) that is a
    symlink to somewhere outside it: the pull request's author chose that target."""
    return repo.is_inside(path.parent) and not repo.is_inside(path)


def _refuse_escaping_link(repo: Repo, path: Path) -> None:
    """A path in the repo that a symlink leads out of it (or into .git/) is never read."""
    normal = Path(os.path.abspath(path))
    if (repo.root in normal.parents or normal == repo.root) and not repo.is_inside(normal):
        raise UsageError(f"{path}: leads through a symlink outside the repository or into "
                         ".git/; it is not read")


def _display(repo: Repo, path: Path) -> str:
    return repo.rel(path) if repo.is_inside(path) else str(path)


def run_validation(repo: Repo, options: Options, progress: Progress | None = None,
                   settings: Settings | None = None) -> Report:
    """`progress` hears of every stage (rendering, each check) as it starts and ends; `settings`
    default to those resolved for `repo`."""
    jobs = options.jobs or os.cpu_count() or 2
    options = replace(options, jobs=jobs)
    if progress is None:
        from marty_platform.report.progress import Progress

        progress = Progress(sys.stderr)
    pool = ThreadPoolExecutor(max_workers=jobs)
    ctx = None
    try:
        ctx = build_context(repo, options, pool, settings)
        return _validate(ctx, progress)
    finally:
        # On every exit (an error, SIGINT, SIGTERM): stop the pool first, then remove the
        # scratch space its checks write to.
        pool.shutdown(wait=True, cancel_futures=True)
        if ctx is not None:
            ctx.close()


def _select(ctx: RunContext) -> tuple[Selection, list[str]]:
    """What this run validates (overlays, manifest files, repo checks), and the envs involved."""
    repo, options = ctx.repo, ctx.options
    for env in options.envs:  # an unknown env is a usage error, whatever the paths
        ctx.env_configs[env] = load_env_config(repo, env)
    if ctx.full_repo:
        whole = Selection(overlays=repo.overlays(list(options.envs) or None),
                          repo_checks=set(selection.ALL_REPO_CHECKS))
        return whole, list(options.envs) or repo.envs()
    for raw in options.paths:
        _refuse_escaping_link(repo, raw)
        _refuse_other_env(raw, raw.resolve(), repo, options.envs)
    chosen = selection.select(repo, options.paths)
    if options.envs:
        chosen.overlays = [o for o in chosen.overlays if o.env in options.envs]
    if not chosen.overlays and not chosen.manifest_files and not chosen.repo_checks:
        # Not a pass: the paths feed nothing, so nothing was validated; say why for each.
        why = "; ".join(chosen.notes) or (f"{' '.join(map(str, options.paths))} holds no "
                                          "overlay, no YAML or JSON file and feeds no repo check")
        raise UsageError(f"nothing to check: {why}")
    manifest_envs = set(_manifest_envs(ctx)) if chosen.manifest_files else set()
    return chosen, sorted({o.env for o in chosen.overlays} | manifest_envs)


def _manifest_envs(ctx: RunContext) -> tuple[str, ...]:
    """The envs rendered manifests are judged in: --env, else the env.yaml's default."""
    return ctx.options.envs or (manifest_env(ctx.repo),)


def _chosen(repo_checks: list, names: set[str]) -> list:
    return [c for c in repo_checks if checks.check_id(c) in names]


def _render(ctx: RunContext, renderer: Renderer, overlays: list[Overlay],
            objects: dict[str, list[ManifestObject]], progress: Progress) -> CheckResult:
    result = CheckResult("kustomize")
    stage = progress.begin(f"render {len(overlays)} overlay(s)", total=len(overlays))
    hits = 0
    for rendered in ctx.pool.map(renderer.render, overlays):
        result.stats.checked += 1
        result.findings += rendered.findings
        objects[rendered.overlay.env] += rendered.objects
        hits += rendered.cached
        progress.advance(stage)
    progress.end(stage, len(result.findings),
                 note=f"cache: {hits} hit, {len(overlays) - hits} rendered")
    return result


def _load_manifests(ctx: RunContext, paths: list[Path],
                    objects: dict[str, list[ManifestObject]]) -> list[CheckResult]:
    results = []
    for path in paths:
        if _leads_outside(ctx.repo, path):
            results.append(CheckResult("yaml", findings=[finding(
                "yaml", "symlink-outside-repo", "symlink points outside the repository; it is "
                "not followed", file=ctx.repo.rel(path.parent) + "/" + path.name)]))
            continue
        for env in _manifest_envs(ctx):
            loaded, problems = load_manifest_file(path, _display(ctx.repo, path), env)
            objects[env] += loaded
            results.append(CheckResult("yaml", env=env, findings=problems))
    return results


def _validate(ctx: RunContext, progress: Progress) -> Report:
    chosen, envs = _select(ctx)
    overlays, manifest_files = chosen.overlays, chosen.manifest_files
    for env in envs:
        if env not in ctx.env_configs:
            ctx.env_configs[env] = load_env_config(ctx.repo, env)
    report = Report(envs=envs, notes=chosen.notes)
    ctx.inputs = InputIndex(ctx.repo, ctx.settings.tools_bin)
    ctx.results = ResultCache(ctx.cache_dir)

    renderer = Renderer(ctx.repo, ctx.toolbox, ctx.cache_dir, ctx.manifest.fingerprint())
    if any(not renderer.is_cached(overlay) for overlay in overlays):
        for prestart in checks.PRESTARTS:  # slow starters start now, beside all that follows
            prestart(ctx)

    # One phase counts every check (on a terminal: checks done of all); each is a stage too.
    python_checks = _chosen(checks.PYTHON_REPO_CHECKS, chosen.repo_checks)
    tool_checks = _chosen(checks.TOOL_REPO_CHECKS, chosen.repo_checks)
    env_checks = [*checks.MANIFEST_CHECKS,
                  *(checks.SERVER_CHECKS if ctx.options.server_kubeconfig else [])]
    phase = progress.begin("checks", total=len(python_checks) + len(tool_checks)
                           + len(envs) * len(env_checks))
    # Repo checks that run tools start first and overlap with rendering.
    for repo_check in python_checks:
        report.results += _tracked(progress, phase, repo_check, ctx)
    tool_futures: list[Future] = [ctx.pool.submit(_tracked, progress, phase, c, ctx)
                                  for c in tool_checks]

    objects: dict[str, list[ManifestObject]] = {env: [] for env in envs}
    if overlays:
        report.results.append(_render(ctx, renderer, overlays, objects, progress))
    context = _env_context(ctx, renderer, overlays)
    report.results += _load_manifests(ctx, manifest_files, objects)
    if not ctx.full_repo and not chosen.repo_checks:
        _refuse_empty_run(ctx, report, objects)

    # Every env is staged before any of its checks starts: a check that scans every env at once
    # (ctx.shared) finds them all. The envs are written side by side: creating a file per object
    # waits mostly on the filesystem, not on Python.
    with ThreadPoolExecutor(max_workers=max(1, len(envs))) as writers:
        staged = dict(zip(envs, writers.map(lambda env: StagedBatch.write(
            env, ctx.scratch(f"objects-{env}"), objects[env], context.get(env, [])), envs)))
    for env in envs:
        ctx.batches[env] = EnvBatch(ctx.env_configs[env], staged[env])
    started = {(env, c): ctx.pool.submit(_tracked, progress, phase, c, ctx, ctx.batches[env])
               for env, c in _start_order(envs, env_checks)}
    batch_futures = [started[env, c] for env in envs for c in env_checks]
    for future in [*batch_futures, *tool_futures]:
        report.results += future.result()
    cached, ran = ctx.results.counts.get("checks", (0, 0))
    progress.end(phase, sum(len(r.findings) for r in report.results),
                 note=f"cache: {cached} hit, {ran} ran")

    if ctx.full_repo:
        renderer.prune()
        if not ctx.options.envs:  # every check of every env ran: what it did not use is stale
            ctx.results.prune()
    findings = [f for result in report.results for f in result.findings]
    findings = _escalate(_apply_waivers(ctx, findings), ctx.env_configs)
    report.findings = _dedupe(findings)
    return report


def _start_order(envs: list[str], env_checks: list) -> list[tuple[str, object]]:
    """The order the env checks are given to the pool: env by env, except a check that scans
    every env at once (checks.EVERY_ENV_CHECKS): the first env's starts first, since it runs the
    scan, the longest job of all; the other envs' start last, since each only waits for that
    scan's result and would hold a worker that the remaining checks could use."""
    every_env = [c for c in env_checks if c in checks.EVERY_ENV_CHECKS]
    own = [c for c in env_checks if c not in every_env]
    return [*((env, c) for env in envs[:1] for c in every_env),
            *((env, c) for env in envs for c in own),
            *((env, c) for env in envs[1:] for c in every_env)]


def _refuse_empty_run(ctx: RunContext, report: Report,
                      objects: dict[str, list[ManifestObject]]) -> None:
    """A run that found neither an object to check nor a problem checked nothing: that is not
    a pass (a path with no manifests in it, an overlay rendering to nothing)."""
    if any(objects.values()) or any(r.findings for r in report.results):
        return
    raise UsageError(f"nothing checked: {' '.join(map(str, ctx.options.paths))} "
                     "holds no Kubernetes object")


def _label(check) -> str:
    """A check's module, and its function unless that is `check`: policy.verify, kubeconform."""
    name = check.__module__.rsplit(".", 1)[-1]
    return name if check.__name__ == "check" else f"{name}.{check.__name__}"


def _tracked(progress: Progress, phase: int, check, ctx: RunContext,
             *batch: EnvBatch) -> list[CheckResult]:
    """Run one check as a stage of `progress`, labelled by its module (and env), and count it
    done in `phase`; its results come from the result cache when the content of every input it
    reads is unchanged."""
    label = _label(check)
    stage = progress.begin(f"{label} {batch[0].env}" if batch else label)
    key = _result_key(ctx, check, label, *batch)
    results = ctx.results.get(key) if key else None
    if results is not None:
        ctx.results.count("checks", hits=1)
        note = "cached"
    else:
        results = _guarded(check, ctx, *batch)
        if key:
            ctx.results.put(key, results)
        ctx.results.count("checks", misses=1)
        hits, misses = ctx.results.counts.get(f"{label} {batch[0].env}" if batch else "", (0, 0))
        note = f"objects: {hits} cached, {misses} checked" if hits or misses else \
            ("ran" if key else "ran (not cached)")
    progress.end(stage, sum(len(result.findings) for result in results), note=note)
    progress.advance(phase)
    return results


def _result_key(ctx: RunContext, check, label: str, *batch: EnvBatch) -> str | None:
    """The key of a check's results: the check, the tool versions, this code, the day (waivers
    and skips expire), the run's scope and the content of what the check reads. None: not
    cached (the live API server; CRD schemas from locations outside the repo)."""
    if check in checks.SERVER_CHECKS or (ctx.settings.crd_schema_locations and
                                         label == "kubeconform"):
        return None
    scope = [label, ctx.manifest.fingerprint(), ctx.inputs.tools, tooling_digest(),
             ctx.settings.today.isoformat(),
             "\0".join(ctx.settings.crd_schema_locations),
             "\0".join(_display(ctx.repo, path) for path in ctx.options.paths),
             "\0".join(ctx.options.envs)]
    if not batch:
        areas = WHOLE_TREE if ctx.options.paths and label in READS_GIVEN_PATHS else \
            REPO_CHECK_AREAS.get(label, WHOLE_TREE)
        return key_of(*scope, ctx.inputs.digest(areas))
    env = batch[0]
    return key_of(*scope, env.env, ctx.inputs.digest(WHOLE_TREE), *env.digests)


def _guarded(check, *args) -> list[CheckResult]:
    """Run one check; a bug in it becomes a finding instead of ending the whole run.
    Usage and tooling errors (MartyError) still stop the run: they affect every check."""
    try:
        return check(*args)
    except MartyError:
        raise
    except Exception as exc:  # noqa: BLE001 - collect, don't abort
        name = checks.check_id(check)
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
    rel = ctx.repo.rel(library.exceptions_file)
    waivers, problems = load_waivers(ctx.repo, library.exceptions_file, set(library.rules))
    return apply_waivers(findings, waivers, ctx.settings.today, rel,
                         report_unused=ctx.full_repo and not ctx.options.envs) + problems


def _escalate(findings: list[Finding], configs: dict[str, EnvConfig]) -> list[Finding]:
    """Warnings become errors in an env whose strictness says so."""
    strict = {name for name, config in configs.items() if config.warnings_are_errors}
    return [replace(f, severity=Severity.ERROR)
            if f.severity is Severity.WARNING and f.env in strict else f for f in findings]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same problem found through two overlays or two checks is reported once, in an order
    that depends only on the findings (not on which results came from the cache)."""
    seen, result = set(), []
    for item in sorted(findings, key=lambda f: (f.file, f.line or 0, f.env, f.check, f.rule,
                                                f.resource, f.message)):
        per_env = item.check not in ("yaml", "kustomize")
        key = (item.file, item.line, item.check, item.rule, item.message, item.resource,
               item.env if per_env else "")
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result
