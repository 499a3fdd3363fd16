"""charts/<chart>/README.md: the values table, generated from the `## @param` comments."""
from __future__ import annotations

from pathlib import Path

from marty_platform import chartdocs
from marty_platform.context import RunContext
from marty_platform.generators.files import sync_files


def generate(ctx: RunContext, write: bool) -> list[Path]:
    return sync_files(chartdocs.readmes(ctx.repo.root), write)
