"""The two diffs: the same overlays at two git refs, and the same apps in two envs."""
from __future__ import annotations

from pathlib import Path

from marty_platform.comparison.noise import strip_noise
from marty_platform.diffing import gitref
from marty_platform.diffing.matching import diff_objects
from marty_platform.diffing.model import AppDiff, DiffReport
from marty_platform.diffing.normalize import map_namespaces
from marty_platform.diffing.redact import redact_object
from marty_platform.diffing.rendering import AppKey, RenderSession, TreeRender
from marty_platform.diffing.risk import app_risks
from marty_platform.envconfig import load_env_config
from marty_platform.errors import UsageError
from marty_platform.kustomize_graph import KustomizeGraph
from marty_platform.repo import Overlay, Repo


def prepare(obj: dict) -> dict:
    return redact_object(strip_noise(obj))


def build_report(title: str, before: dict[AppKey, list[dict]], after: dict[AppKey, list[dict]],
                 *, labels: dict[AppKey, str] | None = None,
                 target_env: str | None = None) -> DiffReport:
    report = DiffReport(title)
    for env, app in sorted(set(before) | set(after)):
        app_diff = AppDiff(env, app, diff_objects(before.get((env, app), []),
                                                  after.get((env, app), []), prepare=prepare),
                           label=(labels or {}).get((env, app), ""))
        report.apps.append(app_diff)
        report.risks += app_risks(app_diff, target_env=target_env)
    return report


def _errors(render: TreeRender, where: str) -> list[str]:
    return [f"{where}: {f.file}{':' + str(f.line) if f.line else ''}: {f.message}"
            for f in render.findings]


def affected_overlays(tree: Repo, changed: list[str], prefix: str,
                      envs: list[str] | None) -> list[Overlay]:
    """Overlays of `tree` whose kustomize closure contains a changed file."""
    overlays = tree.overlays(envs)
    paths = {tree.root / Path(p).relative_to(prefix) if prefix else tree.root / p
             for p in changed if not prefix or Path(p).is_relative_to(prefix)}
    hit = set(KustomizeGraph(tree).dependents([o.path for o in overlays], paths))
    return [o for o in overlays if o.path.resolve() in {h.resolve() for h in hit}]


def diff_refs(repo: Repo, base: str, head: str | None = None, *, envs: list[str] | None = None,
              jobs: int = 0) -> DiffReport:
    """Every overlay affected between `base` and `head` (default: the working tree), rendered at
    both and compared."""
    top = gitref.toplevel(repo.root)
    prefix = repo.root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix
    base_sha = gitref.resolve(top, base)
    head_sha = gitref.resolve(top, head) if head else None
    changed = gitref.changed_files(top, base_sha, head_sha)
    title = f"Rendered diff {base} → {head or 'working tree'}"
    with RenderSession(repo, jobs) as session:
        with gitref.worktree(top, base_sha) as base_top:
            base_tree = Repo(base_top / prefix if prefix else base_top)
            if head_sha:
                with gitref.worktree(top, head_sha) as head_top:
                    head_tree = Repo(head_top / prefix if prefix else head_top)
                    return _diff_trees(session, title, base_tree, head_tree, changed, prefix, envs)
            return _diff_trees(session, title, base_tree, repo, changed, prefix, envs)


def _diff_trees(session: RenderSession, title: str, base_tree: Repo, head_tree: Repo,
                changed: list[str], prefix: str, envs: list[str] | None) -> DiffReport:
    keys = {(o.env, o.app) for tree in (base_tree, head_tree)
            for o in affected_overlays(tree, changed, prefix, envs)}

    def pick(tree: Repo) -> list[Overlay]:
        return [o for o in tree.overlays(envs) if (o.env, o.app) in keys]

    before, after = session.render(base_tree, pick(base_tree)), session.render(head_tree, pick(head_tree))
    report = build_report(title, before.objects, after.objects)
    report.errors = _errors(before, "base") + _errors(after, "head")
    return report


def namespace_mapping(repo: Repo, from_env: str, to_env: str) -> dict[str, str]:
    source = load_env_config(repo, from_env).namespaces
    target = load_env_config(repo, to_env).namespaces
    return {s: t for s, t in zip(source, target) if s != t}


def diff_envs(repo: Repo, from_env: str, to_env: str, *, apps: list[str] | None = None,
              jobs: int = 0, after_tree: Repo | None = None) -> DiffReport:
    """Each app of `from_env` against the same app in `to_env`, namespaces mapped across."""
    if from_env == to_env:
        raise UsageError("--from-env and --to-env must differ")
    mapping = namespace_mapping(repo, from_env, to_env)
    with RenderSession(repo, jobs) as session:
        source = session.render_env(repo, from_env, apps)
        target = session.render_env(after_tree or repo, to_env, apps)
    before = {(to_env, app): [map_namespaces(o, mapping) for o in objects]
              for (_, app), objects in source.objects.items()}
    labels = {(to_env, app): f"{from_env} → {to_env} / {app}"
              for app in {a for _, a in before} | {a for _, a in target.objects}}
    # Like `diff FROM TO`: from_env is the before side, to_env the after side.
    report = build_report(f"Env diff {from_env} → {to_env}", before, target.objects,
                          labels=labels, target_env=to_env)
    report.errors = _errors(source, from_env) + _errors(target, to_env)
    return report


def diff_promotion(repo: Repo, env: str, before_tree: Repo, after_tree: Repo,
                   apps: list[str], jobs: int = 0) -> DiffReport:
    """The target env's apps before and after a promotion (two trees, same env)."""
    with RenderSession(repo, jobs) as session:
        before = session.render_env(before_tree, env, apps)
        after = session.render_env(after_tree, env, apps)
    report = build_report(f"Promotion diff for {env}", before.objects, after.objects)
    report.errors = _errors(before, "before") + _errors(after, "after")
    return report
