"""The operations commands: render, diff, drift, promote, release and slo-report.

Each is a standalone click command; cli.py registers them on the main group. Like the rest of the
CLI they only parse arguments, call the core and print. Exit codes: 0 clean / no differences,
1 findings / differences / drift / failed promotion, 2 usage or tooling error.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from marty_platform.cli_options import app_option, emit, env_option, format_option, jobs_option
from marty_platform.diffing.model import DiffReport
from marty_platform.drift.detect import DriftReport
from marty_platform.errors import UsageError
from marty_platform.monitoring.slo_report import SloReport
from marty_platform.report import registry


# --- render ------------------------------------------------------------------------------------
@click.command(epilog="Exit codes: 0 rendered, 1 render errors, 2 usage or tooling error.")
@env_option(required=True, help="The env to render.")
@app_option()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/<env>/<app>/manifests.yaml (the layout Flux syncs) instead of printing.")
def render(env: str, apps: tuple[str, ...], out_dir: Path | None) -> None:
    """Print an env's fully rendered objects as multi-document YAML (the render validate uses)."""
    import yaml

    from marty_platform.diffing.rendering import RenderSession
    from marty_platform.envconfig import load_env_config
    from marty_platform.repo import Repo

    repo = Repo.find()
    load_env_config(repo, env)
    known = {o.app for o in repo.overlays([env])}
    unknown = sorted(set(apps) - known)
    if unknown:
        raise UsageError(f"no overlay for {', '.join(unknown)} in env {env}")
    with RenderSession(repo) as session:
        rendered = session.render_env(repo, env, list(apps) or None)
    for item in rendered.findings:
        location = f"{item.file}:{item.line}" if item.line else item.file
        click.echo(f"{location}: error: {item.message} [{item.check}/{item.rule}]", err=True)
    for (_, app), objects in sorted(rendered.objects.items()):
        text = yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False,
                                  allow_unicode=True, width=4096) if objects else ""
        if out_dir is not None:
            path = out_dir / env / app / "manifests.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif text:
            click.echo(f"# Source: overlays/{env}/{app}\n---\n{text}", nl=False)
    sys.exit(1 if rendered.findings else 0)


# --- diff --------------------------------------------------------------------------------------
_SUFFIXES = {"json": "json", "text": "txt", "markdown": "md", "github": "txt", "sarif": "sarif",
             "junit": "xml"}


def _emit_diff(report, output_format: str, split: bool, out_dir: Path | None) -> None:
    """The diff on stdout, or in files diff-<n>.<ext> of `out_dir`; markdown --split makes
    several comment bodies."""
    from marty_platform.diffing import report_markdown

    if split and output_format != "markdown":
        raise UsageError("--split goes with --format markdown")
    if out_dir is None and not split:
        emit(report, output_format)
        return
    bodies = (report_markdown.render_parts(report) if split
              else [registry.render(report, output_format)])
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for index, body in enumerate(bodies, 1):
            (out_dir / f"diff-{index}.{_SUFFIXES[output_format]}").write_text(
                body, encoding="utf-8")
        click.echo(f"wrote {len(bodies)} file(s) to {out_dir}", err=True)
    else:
        click.echo(f"\n{report_markdown.SPLIT_MARKER}\n".join(bodies), nl=False)


def _known(repo, envs: list[str], apps) -> None:
    """Every env named has a config and every app an overlay in one of them: a typo is a usage
    error, never an empty "no differences"."""
    from marty_platform.envconfig import load_env_config

    for env in envs:
        load_env_config(repo, env)
    known = {o.app for o in repo.overlays(envs)}
    unknown = sorted(set(apps) - known)
    if unknown:
        raise UsageError(f"no overlay for {', '.join(unknown)} in env {' or '.join(envs)} "
                         f"(known: {', '.join(sorted(known)) or 'none'})")


@click.command(epilog="Exit codes: 0 no differences, 1 differences, 2 error.")
@click.option("--base", help="Git ref to compare from (renders only the overlays the change "
              "between --base and --head affects).")
@click.option("--head", help="Git ref to compare to (default: the working tree).")
@click.option("--from-env", help="Compare two envs instead: this one...")
@click.option("--to-env", help="...with this one, app by app (namespaces mapped).")
@env_option(multiple=True, help="With --base: only this env (repeatable).")
@app_option(help="With --from-env: only this app (repeatable).")
@format_option(DiffReport)
@click.option("--split", is_flag=True, help="markdown: several comment bodies, each under "
              "GitHub's limit, separated by a marker line (or one file each with --out-dir).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the report to files diff-<n>.<ext> in DIR.")
@jobs_option(help="Parallel renders (default: cores).")
def diff(base, head, from_env, to_env, envs, apps, output_format, split, out_dir, jobs) -> None:
    """Semantic diff of rendered manifests: between git refs, or between two envs."""
    from marty_platform.diffing.compare import diff_envs, diff_refs
    from marty_platform.repo import Repo

    repo = Repo.find()
    if from_env or to_env:
        if base or head:
            raise UsageError("use either --base/--head or --from-env/--to-env, not both")
        if not (from_env and to_env):
            raise UsageError("--from-env and --to-env go together")
        _known(repo, [from_env, to_env], apps)
        report = diff_envs(repo, from_env, to_env, apps=list(apps) or None, jobs=jobs)
        if not report.apps:
            raise UsageError(f"nothing to compare: {from_env} and {to_env} render no overlay"
                             + (f" for {', '.join(apps)}" if apps else ""))
    elif base:
        if apps:
            raise UsageError("--app applies to --from-env/--to-env diffs")
        _known(repo, list(envs), ())
        report = diff_refs(repo, base, head, envs=list(envs) or None, jobs=jobs)
    else:
        raise UsageError("give --base REF (and optionally --head REF), or --from-env and --to-env")
    _emit_diff(report, output_format, split, out_dir)
    sys.exit(2 if report.errors else 1 if report.has_differences else 0)


# --- drift -------------------------------------------------------------------------------------
@click.command(epilog="Exit codes: 0 no drift, 1 drift, 2 error (kubectl missing, render failed).")
@env_option(required=True, help="The env to check.")
@click.option("--live", "live_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read live objects from this file (`kubectl get -o json|yaml` List output) "
                   "instead of the cluster.")
@click.option("--context", help="kubectl context (default: `cluster:` in the env's env.yaml).")
@app_option(help="Only this app's overlay (repeatable; default: every overlay of the env).")
@click.option("--kubeconfig", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the server this file names with the pinned kubectl (e.g. the one "
                   "`scripts/cluster up` prints).")
@click.option("--server-side", is_flag=True, help="With --kubeconfig: compare live objects with "
              "what a dry-run server-side apply of the desired ones returns (server defaults).")
@format_option(DriftReport)
def drift(env, live_file, context, apps, kubeconfig, server_side, output_format) -> None:
    """Compare an env's rendered objects with the live cluster: missing, unmanaged, modified."""
    from marty_platform.drift.run import run_drift
    from marty_platform.repo import Repo

    if live_file is not None and not live_file.is_file():
        raise UsageError(f"--live {live_file}: no such file")
    if kubeconfig is not None and (live_file is not None or context):
        raise UsageError("--kubeconfig excludes --live and --context")
    if kubeconfig is not None and not kubeconfig.is_file():
        raise UsageError(f"--kubeconfig {kubeconfig}: no such file")
    if server_side and kubeconfig is None:
        raise UsageError("--server-side goes with --kubeconfig")
    result = run_drift(Repo.find(), env, live_file=live_file, context=context, apps=tuple(apps),
                       kubeconfig=kubeconfig, server_side=server_side)
    emit(result, output_format)
    sys.exit(1 if result.drifted else 0)


# --- promote and release ----------------------------------------------------------------------
def _emit_change(change, output_format: str, dry_run: bool, refused_reason: str) -> None:
    """Notes on stderr, the diff (the pull-request body) on stdout; exits 1 when it failed."""
    for edit in [] if change.refused else change.edits:
        for note in edit.notes:
            click.echo(f"{change.env}/{edit.overlay.app}: {note}", err=True)
    if change.report is not None:
        _emit_diff(change.report, output_format, False, None)
    if change.failures:
        if change.refused:
            click.echo(f"{refused_reason}; nothing was changed:", err=True)
        elif dry_run:
            click.echo(f"dry run: validation of {change.env} would fail:", err=True)
        else:
            click.echo(f"validation of {change.env} failed; nothing was changed:", err=True)
        for item in change.failures[:50]:
            location = f"{item.file}:{item.line}" if item.line else item.file
            click.echo(f"  {location}: {item.message} [{item.check}/{item.rule}]", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"dry run: {change.env} validates; no files changed", err=True)
    elif change.branch:
        click.echo(f"committed on branch {change.branch} (not pushed)", err=True)
    else:
        click.echo(f"updated {len(change.edits)} overlay(s) of {change.env}; validation passed",
                   err=True)
    sys.exit(0)


_COMMIT_HELP = ("Commit on a new branch started from --base, in a temporary worktree: the "
                "checkout is left as it is (never pushes).")
_BASE_HELP = "With --commit: the branch to start from (default: the current branch's upstream, " \
             "else main)."


@click.command(epilog="Only the promotions the env configs declare (promotesFrom in "
               "overlays/<env>/env.yaml). Exit codes: 0 promoted (or nothing to do), 1 "
               "refused or validation failed (nothing changed), 2 usage or tooling error.")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@app_option(help="Only this app (repeatable; default: all).")
@click.option("--dry-run", is_flag=True, help="Check and show the diff; change nothing.")
@click.option("--commit", "do_commit", is_flag=True,
              help=f"{_COMMIT_HELP} Branch: promote/<from>-to-<to>/<apps>.")
@click.option("--base", help=_BASE_HELP)
@format_option(DiffReport, default="markdown", help="Format of the promotion diff on stdout.")
def promote(source, target, apps, dry_run, do_commit, base, output_format) -> None:
    """Make TO's overlays run FROM's releases (image tag and digest, chart version), validated."""
    from marty_platform.promote import promote as run_promotion
    from marty_platform.repo import Repo

    if dry_run and do_commit:
        raise UsageError("--dry-run and --commit exclude each other")
    if base and not do_commit:
        raise UsageError("--base goes with --commit")
    result = run_promotion(Repo.find(), source, target, list(apps), dry_run=dry_run,
                           commit=do_commit, base=base)
    for app in result.skipped:
        click.echo(f"{target}/{app}: already runs {source}'s releases", err=True)
    if not result.edits and not result.failures:
        click.echo(f"nothing to promote from {source} to {target}", err=True)
        sys.exit(0)
    _emit_change(result, output_format, dry_run,
                 f"promotion refused: {target} requires image digests")


@click.command(epilog="Exit codes: 0 released (or already recorded), 1 validation failed "
               "(nothing changed), 2 usage error (unknown app or env, malformed digest or "
               "version).")
@click.argument("app")
@click.argument("version")
@click.option("--digest", required=True, metavar="sha256:<64 hex>",
              help="The image's digest, as the registry returned it for VERSION.")
@env_option(default=None, help="The env the release enters (promotion takes it further; "
            "default: the first env, which promotes from none).")
@click.option("--dry-run", is_flag=True, help="Check and show the diff; change nothing.")
@click.option("--commit", "do_commit", is_flag=True,
              help=f"{_COMMIT_HELP} Branch: release/<env>/<app>-<version>.")
@click.option("--base", help=_BASE_HELP)
@format_option(DiffReport, default="markdown", help="Format of the release diff on stdout.")
def release(app, version, digest, env, dry_run, do_commit, base, output_format) -> None:
    """Record APP's release VERSION (its image tag and digest) in the env's overlay, validated."""
    from marty_platform.release import release as run_release
    from marty_platform.repo import Repo

    if dry_run and do_commit:
        raise UsageError("--dry-run and --commit exclude each other")
    if base and not do_commit:
        raise UsageError("--base goes with --commit")
    result = run_release(Repo.find(), app, version, digest, env, dry_run=dry_run,
                         commit=do_commit, base=base)
    if not result.edits:
        click.echo(f"{result.env}/{app} already runs {version} at {digest}", err=True)
        sys.exit(0)
    _emit_change(result, output_format, dry_run, f"release into {result.env} refused")


# --- slo-report --------------------------------------------------------------------------------
@click.command("slo-report", epilog="Exit codes: 0 no error budget exhausted, 1 at least one "
               "SLO has exhausted its budget, 2 usage error or Prometheus unreachable.")
@click.option("--prometheus-url", metavar="URL",
              help="Query this Prometheus (e.g. http://prometheus-operated.monitoring.svc:9090).")
@click.option("--results", "results_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read saved query responses instead (JSON; format in monitoring/README.md).")
@click.option("--service", "services", multiple=True, help="Only this service (repeatable).")
@click.option("--at-risk-below", type=click.FloatRange(0, 100), default=25.0, show_default=True,
              help="Budget remaining (percent) below which an SLO is AT RISK.")
@format_option(SloReport)
def slo_report(prometheus_url, results_file, services, at_risk_below, output_format) -> None:
    """Remaining 30-day error budget per SLO, from the recording rules Sloth generates."""
    from marty_platform.monitoring import slo_report as report
    from marty_platform.repo import Repo

    if bool(prometheus_url) == bool(results_file):
        raise UsageError("give exactly one of --prometheus-url URL or --results FILE")
    try:
        if prometheus_url:
            results = report.fetch_live(prometheus_url)
        else:
            results = report.load_results_file(results_file)
        result = report.report_for(results, Repo.find().root, services, at_risk_below / 100)
    except (report.PrometheusUnreachable, report.ResultsError) as exc:
        raise UsageError(str(exc)) from None
    emit(result, output_format)
    sys.exit(1 if result.exhausted else 0)


COMMANDS = [render, diff, drift, promote, release, slo_report]

