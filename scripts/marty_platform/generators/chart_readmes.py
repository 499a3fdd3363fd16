"""charts/<chart>/README.md: the values table, generated from the `## @param` comments."""
from __future__ import annotations

from pathlib import Path

from marty_platform import chartdocs
from marty_platform.errors import UsageError
from marty_platform.settings import Settings
from marty_platform.generators.files import sync_files
from marty_platform.yamlio import YamlError


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    outputs = {}
    for chart in chartdocs.charts(root):
        try:
            outputs[chart / "README.md"] = chartdocs.render_readme(chart)
        except YamlError as exc:  # values.yaml: a duplicate key is never last-one-wins
            raise UsageError(f"{(chart / 'values.yaml').relative_to(root).as_posix()}:"
                             f"{exc.line or 1}: {exc.message}") from None
    return sync_files(outputs, write)
