"""The options several commands share, declared once, and the one way a command prints a report.

Each decorator takes only what differs between commands (whether the option repeats, its help).
--format offers exactly the formats the reporter registry has for the command's result type.
"""
from __future__ import annotations

import datetime as dt
import os
import sys

import click

from marty_platform.report import registry

MAX_JOBS = 256  # beyond any machine's useful parallelism; a typo, not a request
AUTO = "auto"  # github under GitHub Actions, else text


def format_option(result_type: type, default: str = "text", auto: bool = False,
                  help: str | None = None):
    choices = registry.formats(result_type) + ([AUTO] if auto else [])
    return click.option("--format", "output_format", type=click.Choice(choices),
                        default=default, show_default=True,
                        help=help or ("auto is github under GitHub Actions." if auto else None))


def env_option(multiple: bool = False, required: bool = False, default: str | None = None,
               help: str = "The env."):
    return click.option("--env", "envs" if multiple else "env", multiple=multiple,
                        required=required, default=default, show_default=default is not None,
                        help=help)


def app_option(help: str = "Only this app (repeatable)."):
    return click.option("--app", "apps", multiple=True, help=help)


def jobs_option(help: str = "Parallel tool runs (default: cores)."):
    return click.option("--jobs", "-j", type=click.IntRange(0, MAX_JOBS), default=0, help=help)


def today_option(help: str = "Date waivers expire against (default: today)."):
    return click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
                        metavar="YYYY-MM-DD", callback=_as_date, help=help)


def _as_date(ctx, param, value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def resolved_format(output_format: str) -> str:
    if output_format == AUTO:
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return output_format


def emit(result: object, output_format: str, colour: bool | None = None) -> None:
    """Print `result` on stdout in `output_format` (text is coloured on a terminal)."""
    from marty_platform.report.terminal import use_colour

    colour = use_colour(sys.stdout) if colour is None else colour
    click.echo(registry.render(result, resolved_format(output_format), colour=colour), nl=False,
               color=True)
