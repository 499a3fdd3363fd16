"""Everything derived from catalog/services.yaml: service bases, platform allow-lists, Flux
wiring, docs/services.md, and the overlays and SLO spec stubs of services new to the catalog
(created once, never overwritten)."""
from __future__ import annotations

from pathlib import Path

from marty_platform import catalog
from marty_platform.settings import Settings
from marty_platform.errors import UsageError
from marty_platform.generators.files import sync_files
from marty_platform.repo import Repo


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    """Expects a sound catalog (generators.run_all checks it first)."""
    if not (root / "catalog" / "services.yaml").is_file():
        return []
    outputs = {root / rel: text for rel, text in catalog.outputs(root).items()}
    created = [*catalog.missing_overlays(root), *catalog.missing_slo_specs(root)]
    for path in [*outputs, *created]:
        # Catalog names are DNS labels by then; this holds even if that check is bypassed.
        if not Repo(root).is_inside(path.parent):
            raise UsageError(f"{Repo(root).rel(path)}: a catalog name leads outside the repo")
    stale = sync_files(outputs, write)
    missing = catalog.scaffold(root) if write else catalog.missing_overlays(root)
    slos = catalog.scaffold_slo_specs(root) if write else catalog.missing_slo_specs(root)
    return stale + missing + slos
