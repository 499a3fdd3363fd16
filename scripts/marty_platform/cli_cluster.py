"""`scripts/cluster`: the hermetic API server (etcd and kube-apiserver on loopback)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from marty_platform.cli_options import app_option, env_option

_DIR = click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
                    help="The cluster's directory: data, keys, logs, kubeconfig, recorded PIDs.")


def _note(message: str) -> None:
    click.echo(message, err=True)


def _render_env(session, repo, env: str, apps: tuple[str, ...]) -> list[dict]:
    from marty_platform.drift.run import RenderFailed, env_apps

    rendered = session.render_env(repo, env, list(env_apps(repo, env, apps)))
    if rendered.findings:
        details = "; ".join(f"{f.file}: {f.message}" for f in rendered.findings[:5])
        raise RenderFailed(f"cannot render env {env}: {details}")
    return [o for _, objects in sorted(rendered.objects.items()) for o in objects]


def _prepare(session, kubeconfig: Path, env: str, objects: list[dict]) -> None:
    """Check the server's version against the env's, then install its CRDs and namespaces."""
    from marty_platform.cluster import envsetup
    from marty_platform.envconfig import load_env_config

    ctx = session.ctx
    config = load_env_config(ctx.repo, env)
    envsetup.require_version(config, envsetup.server_minor(ctx.toolbox, kubeconfig))
    count = envsetup.install(ctx.toolbox, kubeconfig, ctx.repo, config, objects, ctx.cache_dir,
                             ctx.manifest.kubernetes_schemas_version)
    _note(f"installed {count} CRD(s) and the {len(config.namespaces)} namespace(s) of {env}")


@click.group(epilog="Exit codes: 0 done, 2 usage error or a server that failed to start.")
def cluster() -> None:
    """A hermetic Kubernetes API server on loopback, for validation, drift and development."""


@cluster.command()
@_DIR
@env_option(multiple=True, help="Also install the env's CRDs and its namespaces with their Pod "
            "Security labels (repeatable).")
def up(directory: Path | None, envs: tuple[str, ...]) -> None:
    """Start etcd and kube-apiserver; print the kubeconfig path as the last line."""
    from marty_platform.cluster import local
    from marty_platform.diffing.rendering import RenderSession
    from marty_platform.repo import Repo

    repo = Repo.find()
    directory = directory or local.default_directory()
    with RenderSession(repo) as session:
        rendered = {env: _render_env(session, repo, env, ()) for env in envs}
        began = time.monotonic()
        started = local.start(session.ctx.toolbox, directory, progress=_note)
        try:
            for env, objects in rendered.items():
                _prepare(session, started.kubeconfig, env, objects)
        except BaseException:
            local.stop(started)
            raise
    pids = ", ".join(f"{p.name} {p.pid}" for p in started.processes)
    _note(f"cluster up in {time.monotonic() - began:.1f}s ({pids}); stop it with "
          f"`scripts/cluster down --dir {directory}`")
    click.echo(str(started.kubeconfig))


@cluster.command()
@click.option("--dir", "directory", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="The cluster's directory.")
def down(directory: Path) -> None:
    """Stop the processes `up` started in DIR (API server first, then etcd)."""
    from marty_platform.cluster import local

    for name, pid, outcome in local.stop(local.Cluster.load(directory.resolve())):
        _note(f"{name} (pid {pid}): {outcome}")


@cluster.command()
@click.option("--dir", "directory", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="The cluster's directory.")
@env_option(required=True, help="The env to apply.")
@app_option(help="Only this app's overlay (repeatable; default: every overlay of the env).")
def apply(directory: Path, env: str, apps: tuple[str, ...]) -> None:
    """Server-side apply the rendered env (its CRDs and namespaces first)."""
    from marty_platform.cluster import envsetup, local
    from marty_platform.diffing.rendering import RenderSession
    from marty_platform.repo import Repo

    running = local.Cluster.load(directory.resolve())
    repo = Repo.find()
    with RenderSession(repo) as session:
        objects = _render_env(session, repo, env, apps)
        _prepare(session, running.kubeconfig, env, objects)
        envsetup.apply_objects(session.ctx.toolbox, running.kubeconfig, objects,
                               f"the rendered objects of {env}")
    _note(f"applied {len(objects)} object(s) of {env}")
    sys.exit(0)
