"""charts/<chart>/README.md: the values table, generated from the `## @param` comments."""
from __future__ import annotations

from pathlib import Path

from marty_platform import chartdocs
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.generators.files import sync_files
from marty_platform.yamlio import YamlError


def generate(ctx: RunContext, write: bool) -> list[Path]:
    outputs = {}
    for chart in chartdocs.charts(ctx.repo.root):
        try:
            outputs[chart / "README.md"] = chartdocs.render_readme(chart)
        except YamlError as exc:  # values.yaml: a duplicate key is never last-one-wins
            raise UsageError(f"{ctx.repo.rel(chart / 'values.yaml')}:{exc.line or 1}: "
                             f"{exc.message}") from None
    return sync_files(outputs, write)
