"""Everything derived from catalog/services.yaml: service bases, platform allow-lists, Flux
wiring, docs/services.md, and the overlays and SLO spec stubs of services new to the catalog
(created once, never overwritten)."""
from __future__ import annotations

from pathlib import Path

from marty_platform import catalog
from marty_platform.context import RunContext
from marty_platform.generators.files import sync_files


def generate(ctx: RunContext, write: bool) -> list[Path]:
    root = ctx.repo.root
    if not (root / "catalog" / "services.yaml").is_file():
        return []
    outputs = {root / rel: text for rel, text in catalog.outputs(root).items()}
    stale = sync_files(outputs, write)
    missing = catalog.scaffold(root) if write else catalog.missing_overlays(root)
    slos = catalog.scaffold_slo_specs(root) if write else catalog.missing_slo_specs(root)
    return stale + missing + slos
