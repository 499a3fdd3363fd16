"""Drift for one env (or some of its apps): render it, read the live objects, compare."""
from __future__ import annotations

from pathlib import Path

from marty_platform.diffing.rendering import RenderSession
from marty_platform.drift import live as live_source
from marty_platform.drift.detect import DriftReport, Ownership, detect, managed_values
from marty_platform.drift.rules import MANAGED_BY, load_drift_config
from marty_platform.cluster_scope import cluster_scoped_kinds, without_namespace
from marty_platform.envconfig import load_env_config
from marty_platform.errors import MartyError, UsageError
from marty_platform.model import ResourceKey
from marty_platform.repo import Repo


class RenderFailed(MartyError):
    exit_code = 2


def env_apps(repo: Repo, env: str, apps: tuple[str, ...]) -> tuple[str, ...]:
    """The overlays to check: `apps`, each of which must exist in `env`, or all of them."""
    known = sorted({o.app for o in repo.overlays([env])})
    unknown = sorted(set(apps) - set(known))
    if unknown:
        raise UsageError(f"no overlay for {', '.join(unknown)} in env {env} "
                         f"(known: {', '.join(known) or 'none'})")
    return tuple(sorted(apps)) if apps else tuple(known)


def run_drift(repo: Repo, env: str, *, live_file: Path | None = None,
              context: str | None = None, apps: tuple[str, ...] = (),
              kubeconfig: Path | None = None, server_side: bool = False) -> DriftReport:
    env_config = load_env_config(repo, env)
    config = load_drift_config(repo)
    checked_apps = env_apps(repo, env, apps)
    # A bad --live file is reported before anything is rendered.
    live = live_source.load_live_file(live_file) if live_file is not None else None
    scoped = cluster_scoped_kinds(repo)
    with RenderSession(repo) as session:
        rendered = session.render_env(repo, env, list(checked_apps))
    if rendered.findings:
        details = "; ".join(f"{f.file}: {f.message}" for f in rendered.findings[:5])
        raise RenderFailed(f"cannot render env {env}: {details}")
    desired = [without_namespace(o, scoped) for objects in rendered.objects.values()
               for o in objects]
    if not desired:
        raise UsageError(f"env {env} renders no objects for {', '.join(checked_apps)}: "
                         "nothing to check")
    namespaces = env_config.namespaces
    if live is not None:
        context = context or f"file:{live_file.name}"
    else:
        if kubeconfig is not None:
            kubectl = server_kubectl(repo, kubeconfig)
            context = f"kubeconfig:{kubeconfig.name}"
        else:
            context = context or env_config.raw.get("cluster")
            if not context:
                raise UsageError(f"env {env} has no `cluster:` in its env.yaml; pass --context")
            kubectl = live_source.user_kubectl(context)
        keys = [ResourceKey.of(o) for o in desired]
        kinds = {(k.kind, k.group) for k in keys}
        for extra in config.extra_kinds:
            kind, _, group = extra.partition(".")
            kinds.add((kind, group))
        cluster_scoped = {(k.kind, k.group) for k in keys if not k.namespace} | set(scoped)
        selector = f"{MANAGED_BY} in ({','.join(sorted(managed_values(desired, config)))})"
        names: dict[tuple[str, str], set[str]] = {}
        for key in keys:
            if not key.namespace:
                names.setdefault((key.kind, key.group), set()).add(key.name)
        live = live_source.fetch(kubectl, kinds, namespaces, cluster_scoped, selector, names)
        if server_side:
            desired = [without_namespace(o, scoped)
                       for o in live_source.predicted(kubectl, desired)]
    live = [without_namespace(o, scoped) for o in live]
    ownership = Ownership.of(env, checked_apps, not apps, desired, config)
    return detect(env, context, desired, live, config, namespaces, ownership)


def server_kubectl(repo: Repo, kubeconfig: Path) -> live_source.Kubectl:
    """The pinned kubectl, sealed, reading only `kubeconfig`."""
    from marty_platform.settings import resolve
    from marty_platform.tools.runner import ToolBox

    settings = resolve(repo)
    toolbox = ToolBox(settings.tools_bin, settings.cache_dir / "home", root=repo.root)
    env = {**toolbox.environment(), "KUBECONFIG": str(kubeconfig.resolve())}
    return live_source.Kubectl((toolbox.path("kubectl"),), env, f"kubeconfig {kubeconfig}")
