"""charts/<chart>/README.md: the values table, generated from the `## @param` comments."""
from __future__ import annotations

from pathlib import Path

from marty_platform import chartdocs
from marty_platform.settings import Settings
from marty_platform.generators.files import sync_files


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    return sync_files(chartdocs.readmes(root), write)
