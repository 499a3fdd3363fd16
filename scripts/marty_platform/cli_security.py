"""`scripts/scan`: the security scans that read git history, need the network or write an SBOM.
Like the rest of the CLI it only parses arguments, calls the core (security/scan.py) and prints."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from marty_platform.cli_options import emit, format_option, today_option
from marty_platform.model import Report


@click.command(epilog="Exit codes: 0 clean, 1 findings (a skipped online scan included), "
               "2 usage or tooling error.")
@click.option("--history", is_flag=True, help="Scan every commit of every ref for secrets "
              "(gitleaks; reads .git).")
@click.option("--online", is_flag=True, help="Audit the pinned Python dependencies for known "
              "vulnerabilities (pip-audit; needs the network, reported as skipped without it).")
@click.option("--sbom", "sbom_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a CycloneDX JSON SBOM of the tooling's Python packages to FILE.")
@format_option(Report, default="auto", auto=True)
@today_option()
def scan(history, online, sbom_file, output_format, today) -> None:
    """The security scans scripts/validate does not run: the licences of the tooling (always),
    and the git history, the dependency audit and the SBOM when asked."""
    from marty_platform.repo import Repo
    from marty_platform.security.scan import ScanRequest, run_scan
    from marty_platform.settings import resolve

    repo = Repo.find()
    settings = resolve(repo, today=today)
    report = run_scan(repo, settings, ScanRequest(history=history, online=online,
                                                  sbom=sbom_file.absolute() if sbom_file
                                                  else None))
    emit(report, output_format)
    sys.exit(0 if report.ok else 1)


@click.command(epilog="Exit codes: 0 fresh (or written), 1 a lock is stale (--check), 2 usage or "
               "tooling error.")
@click.option("--check", is_flag=True, help="Only check, offline, that every lock file matches "
              "the pins of pyproject.toml and tools.toml; exit 1 if one is stale.")
@format_option(Report, default="auto", auto=True)
def lock(check, output_format) -> None:
    """Compile requirements/*.lock, the hashed pins of every Python package the repo installs,
    with the pinned uv (asks the package index)."""
    from marty_platform.repo import Repo
    from marty_platform.security import pylock

    repo = Repo.find()
    if not check:
        for written in pylock.refresh(repo.root, pylock.uv_program()):
            click.echo(f"wrote {written}", err=True)
    report = Report()
    report.results.append(pylock.check(repo.root))
    report.findings = list(report.results[0].findings)
    emit(report, output_format)
    sys.exit(0 if report.ok else 1)


COMMANDS = [scan, lock]
