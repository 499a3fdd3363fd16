"""The command line: parses arguments, calls the core, prints. Nothing else lives here."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from marty_platform.errors import MartyError

EXIT_CODES = "Exit codes: 0 clean, 1 findings, 2 usage or tooling error."


def _crd_locations(values: tuple[str, ...]) -> tuple[str, ...]:
    from_env = os.environ.get("MARTY_CRD_SCHEMA_LOCATION", "")
    return tuple(values) + tuple(p for p in from_env.split(os.pathsep) if p)


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Any command also takes --debug: show the traceback of an unexpected error.")
def main() -> None:
    """Tooling for the marty-platform GitOps repository."""


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--env", "envs", multiple=True, help="Limit to this env (repeatable). For manifest "
              "files it picks the env whose rules and Kubernetes version apply (default: prod).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "auto"]),
              default="auto", show_default=True, help="auto is github under GitHub Actions.")
@click.option("--crd-schema-location", "crd_locations", multiple=True, metavar="DIR|TEMPLATE",
              help="CRD schemas for kubeconform: a directory laid out {group}/{kind}_{version}.json"
                   " or a kubeconform template. Also read from MARTY_CRD_SCHEMA_LOCATION.")
@click.option("--jobs", "-j", type=int, default=0, help="Parallel tool runs (default: cores).")
@click.option("--today", metavar="YYYY-MM-DD", help="Date waivers expire against.")
def validate(paths, envs, output_format, crd_locations, jobs, today) -> None:
    """Validate the whole repo, or only PATHS (overlay directories or rendered manifests)."""
    from marty_platform.context import Options
    from marty_platform.engine import run_validation
    from marty_platform.report import REPORTERS
    from marty_platform.repo import Repo

    if output_format == "auto":
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    options = Options(paths=tuple(paths), envs=tuple(envs),
                      crd_schema_locations=_crd_locations(crd_locations), jobs=jobs, today=today)
    report = run_validation(Repo.find(), options)
    click.echo(REPORTERS[output_format](report), nl=False)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--tool", "tools", multiple=True, help="Only this tool (repeatable).")
def bootstrap(tools) -> None:
    """Install the pinned tools into .tools/bin and prepare the offline schema cache."""
    from marty_platform import k8s_schemas
    from marty_platform.envconfig import load_env_config
    from marty_platform.repo import Repo
    from marty_platform.tools.bootstrap import bootstrap as install
    from marty_platform.tools.manifest import load_manifest

    repo = Repo.find()
    manifest = load_manifest(repo.root / "tools.toml")
    install(manifest, repo.root / ".tools" / "bin", progress=click.echo, only=list(tools) or None)
    cache = Path(os.environ.get("MARTY_CACHE_DIR") or repo.root / ".cache") / "schemas"
    versions = set()
    for env in repo.envs():
        version = load_env_config(repo, env).kubernetes_version
        versions |= {version, k8s_schemas.next_minor(version)}
    for version in sorted(versions):
        if version in k8s_schemas.shipped_versions():
            k8s_schemas.ensure_schemas(version, cache, manifest.kubernetes_schemas_version)
            click.echo(f"[schemas] Kubernetes {version} JSON schemas ready in {cache}")


@main.command()
@click.option("--check", is_flag=True, help="Only report stale files; exit 1 if any.")
def generate(check: bool) -> None:
    """Regenerate every generated file (docs, rules) from its source, all or nothing."""
    from concurrent.futures import ThreadPoolExecutor

    from marty_platform import generators
    from marty_platform.catalog.validation import CatalogInvalid
    from marty_platform.context import Options
    from marty_platform.engine import build_context
    from marty_platform.repo import Repo

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        ctx = build_context(Repo.find(), Options(), pool)
        try:
            results = (generators.run_all(ctx, write=False) if check
                       else generators.write_all(ctx))
        except CatalogInvalid as exc:
            for item in exc.findings:
                click.echo(f"{item.file}:{item.line or 1}: error: {item.message} "
                           f"[{item.check}/{item.rule}]", err=True)
            click.echo(f"error: {exc}; nothing was written", err=True)
            sys.exit(1)
    stale = [path for paths in results.values() for path in paths]
    for name, paths in results.items():
        for path in paths:
            click.echo(f"{'stale' if check else 'wrote'}: {ctx.repo.rel(path)} ({name})")
    if check and stale:
        click.echo("run `scripts/generate` and commit the result", err=True)
        sys.exit(1)
    if not stale:
        click.echo("generated files are up to date")


def _register_operations() -> None:
    from marty_platform import cli_ops

    for command in cli_ops.COMMANDS:
        main.add_command(command)


_register_operations()


def run() -> None:
    # --debug is accepted anywhere on the line (scripts/validate --debug ...), so it is taken out
    # before click parses the rest.
    debug = "--debug" in sys.argv
    sys.argv = [arg for arg in sys.argv if arg != "--debug"]
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
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
