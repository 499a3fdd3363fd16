"""The command line: parses arguments, calls the core, prints. Nothing else lives here."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from marty_platform.cli_options import (
    emit,
    env_option,
    format_option,
    jobs_option,
    today_option,
)
from marty_platform.errors import MartyError
from marty_platform.model import Report
from marty_platform.tools.manifest import STAGES

EXIT_CODES = "Exit codes: 0 clean, 1 findings, 2 usage or tooling error."
LAUNCHED_AS = "MARTY_LAUNCHED_AS"  # set by scripts/_run: the program name --help shows
HELP_OPTIONS = ["-h", "--help"]
DEBUG_HELP = "Any command also takes --debug: show the traceback of an unexpected error."


@click.group(context_settings={"help_option_names": HELP_OPTIONS}, epilog=DEBUG_HELP)
def main() -> None:
    """Tooling for the marty-platform GitOps repository."""


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@env_option(multiple=True, help="Limit to this env (repeatable). For manifest files it picks "
            "the env whose rules and Kubernetes version apply (default: the env whose env.yaml sets "
            "defaultForManifests, else the last in promotion order).")
@format_option(Report, default="auto", auto=True)
@click.option("--crd-schema-location", "crd_locations", multiple=True, metavar="DIR|TEMPLATE",
              help="CRD schemas for kubeconform: a directory laid out {group}/{kind}_{version}.json"
                   " or a kubeconform template. Also read from MARTY_CRD_SCHEMA_LOCATION.")
@jobs_option()
@today_option()
@click.option("--verbose", "-v", is_flag=True, help="Print one timing line per check on stderr.")
@click.option("--server", is_flag=True, help="Also dry-run every object on a real API server "
              "(server-side apply, strict field validation): one started for the run, with the "
              "pinned kube-apiserver (`make bootstrap-server`), or --kubeconfig's.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="With --server: a running API server that already has the envs' CRDs and "
                   "namespaces (`scripts/cluster up --env ENV`).")
def validate(paths, envs, output_format, crd_locations, jobs, today, verbose, server,
             kubeconfig) -> None:
    """Validate the whole repo, or only PATHS (overlay directories or rendered manifests).

    On a terminal, progress is shown on stderr while checks run, and text output is coloured
    (unless NO_COLOR is set)."""
    from marty_platform.context import Options
    from marty_platform.engine import run_validation
    from marty_platform.report.progress import for_stream
    from marty_platform.repo import Repo
    from marty_platform.settings import resolve

    repo = Repo.find()
    settings = resolve(repo, crd_schema_locations=crd_locations, today=today)
    options = Options(paths=tuple(paths), envs=tuple(envs), jobs=jobs)
    if kubeconfig and not server:
        raise click.UsageError("--kubeconfig goes with --server")
    with for_stream(sys.stderr, verbose) as progress:
        if server:
            from marty_platform.cluster.local import serving

            with serving(settings, kubeconfig) as (config, started):
                options.server_kubeconfig, options.server_prepare = config, started
                report = run_validation(repo, options, progress, settings)
        else:
            report = run_validation(repo, options, progress, settings)
    emit(report, output_format)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--tool", "tools", multiple=True, help="Only this tool (repeatable).")
@click.option("--stage", type=click.Choice(STAGES), default="validate", show_default=True,
              help="Install the tools this stage needs: validate, server (the hermetic API "
                   "server), test (every tool the tests run) or release (the image scanner).")
def bootstrap(tools, stage) -> None:
    """Install the pinned tools into .tools/bin and prepare the offline schema cache."""
    from marty_platform import k8s_schemas
    from marty_platform.envconfig import load_env_config
    from marty_platform.repo import Repo
    from marty_platform.settings import resolve
    from marty_platform.tools.bootstrap import bootstrap as install
    from marty_platform.tools.manifest import load_manifest

    repo = Repo.find()
    settings = resolve(repo)
    manifest = load_manifest(repo.root / "tools.toml")
    # Installs where every command looks for its tools (MARTY_TOOLS_BIN, else .tools/bin).
    install(manifest, settings.tools_bin, progress=click.echo, only=list(tools) or None,
            stage=stage, root=repo.root)
    cache = settings.cache_dir / "schemas"
    versions = set()
    for env in repo.envs():
        version = load_env_config(repo, env).kubernetes_version
        versions |= {version, k8s_schemas.next_minor(version)}
    for version in sorted(versions):
        if version in k8s_schemas.shipped_versions():
            k8s_schemas.ensure_schemas(version, cache, manifest.kubernetes_schemas_version)
            click.echo(f"[schemas] Kubernetes {version} JSON schemas ready in {cache}")
    _editor_schemas(repo.root, cache, manifest.kubernetes_schemas_version)


def _editor_schemas(root: Path, cache: Path, package_version: str) -> None:
    """The Kubernetes schemas .vscode/settings.json points editors at (schemas/bindings.yaml)."""
    from marty_platform import schema_bindings
    from marty_platform.errors import UsageError
    from marty_platform.yamlio import YamlError

    try:
        binding = schema_bindings.load(root).kubernetes
        if binding:
            schema_bindings.kubernetes_kinds(root, binding, cache, package_version)
            click.echo(f"[schemas] editor schemas of the Kubernetes objects ready in {cache}")
    except (UsageError, YamlError) as exc:
        click.echo(f"[schemas] editor schemas skipped: {exc}")


@main.command()
@click.option("--check", is_flag=True, help="Only report stale files; exit 1 if any.")
def generate(check: bool) -> None:
    """Regenerate every generated file (docs, rules) from its source, all or nothing."""
    from marty_platform import generators
    from marty_platform.catalog.validation import CatalogInvalid
    from marty_platform.repo import Repo
    from marty_platform.settings import require_writable, resolve

    repo = Repo.find()
    settings = resolve(repo)
    require_writable(settings.cache_dir)
    try:
        results = (generators.run_all(repo.root, settings, write=False) if check
                   else generators.write_all(repo.root, settings))
    except CatalogInvalid as exc:
        for item in exc.findings:
            click.echo(f"{item.file}:{item.line or 1}: error: {item.message} "
                       f"[{item.check}/{item.rule}]", err=True)
        click.echo(f"error: {exc}; nothing was written", err=True)
        sys.exit(1)
    stale = [path for paths in results.values() for path in paths]
    for name, paths in results.items():
        for path in paths:
            click.echo(f"{'stale' if check else 'wrote'}: {repo.rel(path)} ({name})")
    if check and stale:
        click.echo("run `scripts/generate` and commit the result", err=True)
        sys.exit(1)
    if not stale:
        click.echo("generated files are up to date")


@main.command("refresh-crd-schemas", epilog="Exit codes: 0 up to date, 1 stale or missing "
              "schemas, 2 usage or tooling error.")
@click.option("--from", "catalog", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A CRD catalog laid out {group}/{kind}_{version}.json to copy from.")
@click.option("--source", default=None, help="What the catalog is, recorded per copied file "
              "(default: datreeio/CRDs-catalog).")
@click.option("--check", is_flag=True, help="Copy nothing; exit 1 if the carried set is stale.")
def refresh_crd_schemas(catalog: Path | None, source: str | None, check: bool) -> None:
    """Carry in schemas/crds/ the CRD schema of every custom kind the overlays render."""
    from concurrent.futures import ThreadPoolExecutor

    from marty_platform import crd_controllers, crd_schemas
    from marty_platform.catalog import controllers as catalog_controllers
    from marty_platform.context import Options, build_context
    from marty_platform.errors import UsageError
    from marty_platform.repo import Repo

    if check == (catalog is not None):
        raise UsageError("give either --from CATALOG_DIR or --check")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        ctx = build_context(Repo.find(), Options(), pool)
        used = crd_schemas.used_kinds(ctx)
    directory = ctx.repo.root / crd_schemas.VENDORED_DIR
    if check:
        result = crd_schemas.compare(directory, used)
        for label, names in (("missing", result.missing), ("not rendered", result.orphaned),
                             ("edited copy", result.edited)):
            for name in names:
                click.echo(f"{label}: {crd_schemas.VENDORED_DIR}/{name}")
        if not result.ok:
            click.echo(f"run `scripts/refresh-crd-schemas --from CATALOG_DIR` and commit "
                       f"{crd_schemas.VENDORED_DIR}", err=True)
            sys.exit(1)
        click.echo(f"{len(used)} CRD schemas up to date in {crd_schemas.VENDORED_DIR}")
        return
    controllers = catalog_controllers.load(ctx.repo.root) \
        if catalog_controllers.present(ctx.repo.root) else None
    versions = crd_controllers.recorded_versions(
        controllers, [crd_schemas.schema_path(kind) for kind in used]) if controllers else {}
    result = crd_schemas.refresh(directory, used, catalog.resolve(),
                                 source or crd_schemas.DEFAULT_SOURCE, versions)
    for name in result.orphaned:
        click.echo(f"removed: {crd_schemas.VENDORED_DIR}/{name}")
    for name in result.missing:
        click.echo(f"missing: {name} is in neither {catalog} nor hand-written", err=True)
    click.echo(f"{len(used) - len(result.missing)} CRD schemas in {crd_schemas.VENDORED_DIR}")
    sys.exit(1 if result.missing else 0)


def _register_operations() -> None:
    from marty_platform import cli_cluster, cli_ops, cli_security

    for command in [*cli_ops.COMMANDS, *cli_security.COMMANDS, cli_cluster.cluster]:
        main.add_command(command)
    for command in main.commands.values():  # --debug is taken off the line before click parses
        command.epilog = f"{command.epilog} {DEBUG_HELP}" if command.epilog else DEBUG_HELP


_register_operations()


def _terminate(signum, frame) -> None:
    """SIGTERM (CI cancelling a job) unwinds like an error, so every cleanup still runs."""
    sys.exit(128 + signum)


def _invoke() -> None:
    """Launched as scripts/<name>, the command runs under that name, so --help shows the
    program the user typed rather than `python -m marty_platform <name>`."""
    launched_as = os.environ.pop(LAUNCHED_AS, "")  # not inherited by the tools the run starts
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    command = main.commands.get(name) if launched_as else None
    if command is None:
        main(standalone_mode=False)
        return
    command.main(args=sys.argv[2:], prog_name=launched_as, standalone_mode=False,
                 help_option_names=HELP_OPTIONS)


def run() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    # --debug is accepted anywhere on the line (scripts/validate --debug ...), so it is taken out
    # before click parses the rest.
    debug = "--debug" in sys.argv
    sys.argv = [arg for arg in sys.argv if arg != "--debug"]
    try:
        _invoke()
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # one line, like every other usage error
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(2)
    except MartyError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if debug:
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
        sys.exit(2)
