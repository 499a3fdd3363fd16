"""Generated files, and the one command that regenerates them.

`scripts/generate` rewrites every generated file; `scripts/generate --check` and
`scripts/validate` report the ones that are stale, so generated output never drifts from its
source. A generator is a callable `(root: Path, settings: Settings, write: bool) -> list[Path]`
(the repo root; where the tools and caches are) that returns the files that were stale (and,
when `write` is true, rewrites them). Listing it in GENERATORS is all it takes.

The catalog is checked (schema and references, see catalog.validation) before any generator
runs, and `write_all` applies a run's output only when every generator succeeded (staging).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from marty_platform.catalog import validation as catalog_validation
from marty_platform.catalog.model import CATALOG
from marty_platform.generators import (
    admission_policies,
    catalog_files,
    chart_readmes,
    check_docs,
    codeowners,
    editor_settings,
    gitattributes,
    monitoring_delivery,
    platform_controllers,
    policy_docs,
    prometheus_rules,
    schema_docs,
    security_coverage,
    slo_rules,
    staging,
    terraform_docs,
)
from marty_platform.settings import Settings

Generator = Callable[[Path, Settings, bool], list[Path]]

GENERATORS: dict[str, Generator] = {
    # The catalog comes first: it scaffolds overlays the Flux wiring then lists.
    "catalog": catalog_files.generate,
    "chart-readmes": chart_readmes.generate,
    "terraform-docs": terraform_docs.generate,
    "policy-docs": policy_docs.generate,
    "check-docs": check_docs.generate,
    "schema-docs": schema_docs.generate,
    "security-coverage": security_coverage.generate,
    "slo-rules": slo_rules.generate,
    # After slo-rules: wraps its output (and the hand-written rules) as PrometheusRules.
    "prometheus-rules": prometheus_rules.generate,
    "monitoring-delivery": monitoring_delivery.generate,
    "platform-controllers": platform_controllers.generate,
    "codeowners": codeowners.generate,
    "admission-policies": admission_policies.generate,
    # After the catalog: it binds the overlays the catalog scaffolds.
    "editor-settings": editor_settings.generate,
    # Last: it lists what the others own.
    "gitattributes": gitattributes.generate,
}

# The files each generator owns outright (glob patterns, repo-relative), which .gitattributes
# marks `linguist-generated`. Scaffolded overlays and SLO spec stubs are written once and then
# edited by hand, and a chart README only has a generated section: none of them is listed.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "catalog": ("docs/services.md",
                "base/services/*/values.yaml", "base/services/*/kustomization.yaml",
                "base/services/*/external-secret.yaml",
                "base/platform/network/catalog-allow.yaml",
                "base/platform/mesh/authorization-policies.yaml",
                "base/platform/data/postgres-clusters.yaml", "base/platform/data/redis.yaml",
                "base/platform/certs/service-certificates.yaml",
                "gitops/flux/*/kustomization.yaml", "gitops/flux/*/source.yaml",
                "gitops/flux/*/kustomizations.yaml"),
    "policy-docs": (policy_docs.OUTPUT,),
    "check-docs": (check_docs.OUTPUT,),
    "schema-docs": (schema_docs.OUTPUT,),
    "slo-rules": ("monitoring/rules/generated/*.yaml",),
    "prometheus-rules": (f"{prometheus_rules.OUT_DIR.as_posix()}/*.yaml",),
    "monitoring-delivery": ("base/platform/monitoring/dashboards/kustomization.yaml",
                            "base/platform/monitoring/otel/*/*.yaml"),
    "editor-settings": (editor_settings.SETTINGS, "schemas/editor/*.json"),
    "platform-controllers": ("gitops/argocd/*/controllers.yaml", "gitops/flux/*/controllers.yaml",
                             platform_controllers.ALERTMANAGER_VALUES),
    "codeowners": (codeowners.OUTPUT,),
    "admission-policies": (f"{admission_policies.OUT_DIR.as_posix()}/*/*.yaml",),
    "gitattributes": (gitattributes.OUTPUT,),
}


def run_all(root: Path, settings: Settings, write: bool) -> dict[str, list[Path]]:
    """Run every generator in place on the repo at `root`; raises CatalogInvalid before any
    runs when the catalog is not sound."""
    if (root / CATALOG).is_file():
        catalog_validation.check(root)
    return {name: generate(root, settings, write) for name, generate in GENERATORS.items()}


def write_all(root: Path, settings: Settings) -> dict[str, list[Path]]:
    """Regenerate every file, all or nothing: the generators run on a private copy of the repo
    and the repo changes only once they all succeeded. Returns each generator's files (in the
    repo)."""
    with staging.staged(root, settings.cache_dir) as copy:
        results = run_all(copy, settings, write=True)
        staging.apply(root, copy, staging.changes(root, copy))
    return {name: [root / path.relative_to(copy) for path in paths]
            for name, paths in results.items()}
