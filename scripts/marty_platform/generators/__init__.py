"""Generated files, and the one command that regenerates them.

`scripts/generate` rewrites every generated file; `scripts/generate --check` and
`scripts/validate` report the ones that are stale, so generated output never drifts from its
source. A generator is a callable `(RunContext, write: bool) -> list[Path]` that returns the
files that were stale (and, when `write` is true, rewrites them). Listing it in GENERATORS is all
it takes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from marty_platform.context import RunContext
from marty_platform.generators import (
    catalog_files,
    chart_readmes,
    monitoring_delivery,
    policy_docs,
    prometheus_rules,
    schema_docs,
    slo_rules,
)

Generator = Callable[[RunContext, bool], list[Path]]

GENERATORS: dict[str, Generator] = {
    # The catalog comes first: it scaffolds overlays the Flux wiring then lists.
    "catalog": catalog_files.generate,
    "chart-readmes": chart_readmes.generate,
    "policy-docs": policy_docs.generate,
    "schema-docs": schema_docs.generate,
    "slo-rules": slo_rules.generate,
    # After slo-rules: wraps its output (and the hand-written rules) as PrometheusRules.
    "prometheus-rules": prometheus_rules.generate,
    "monitoring-delivery": monitoring_delivery.generate,
}


def run_all(ctx: RunContext, write: bool) -> dict[str, list[Path]]:
    return {name: generate(ctx, write) for name, generate in GENERATORS.items()}
