"""Do the carried CRD schemas (schemas/crds/) belong to the controller versions the platform
pins (catalog/platform-controllers.yaml)?

`scripts/refresh-crd-schemas` records, per schema, the controller serving its kind and that
controller's pinned `appVersion` at the time of the copy (sources.yaml: `controller`,
`version`). This module compares the record with the current pins and names the schemas to
refresh after a controller upgrade. What it can verify offline is the record, not the content:
the source catalog is not versioned per controller, so whoever refreshes asserts that the copy
matches the pinned version (see schemas/crds/README.md)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marty_platform.catalog.controllers import Controller, Controllers
from marty_platform.crd_schemas import read_sources


@dataclass(frozen=True)
class Problem:
    schema: str  # relative to schemas/crds
    rule: str  # "crd-controller" or "crd-version"
    message: str


def _kind_key(schema: str) -> tuple[str, str]:
    """(group, lower-cased kind) of `group/kind_version.json`."""
    group, _, file = schema.rpartition("/")
    return group, file.rsplit("_", 1)[0].lower()


def server_of(controllers: Controllers, schema: str) -> Controller | None:
    group, kind = _kind_key(schema)
    for controller in controllers.controllers:
        for served in controller.serves:
            served_group, _, served_kind = served.partition("/")
            if (served_group, served_kind.lower()) == (group, kind):
                return controller
    return None


def recorded_versions(controllers: Controllers, schemas: list[str]) -> dict[str, dict]:
    """What refresh records for each schema: the controller serving it and its pinned version."""
    found = {}
    for schema in schemas:
        controller = server_of(controllers, schema)
        if controller:
            found[schema] = {"controller": controller.name, "version": controller.app_version}
    return found


def problems(directory: Path, controllers: Controllers) -> list[Problem]:
    sources = read_sources(directory)
    carried = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*.json")) \
        if directory.is_dir() else []
    found = []
    for schema in carried:
        controller = server_of(controllers, schema)
        record = sources.get(schema, {})
        if controller is None:
            found.append(Problem(schema, "crd-controller", (
                "no controller in catalog/platform-controllers.yaml serves this kind: add the "
                "controller (or the kind to its `serves`), so the CRs it checks have something "
                "to act on them")))
        elif str(record.get("version", "")) != controller.app_version or \
                record.get("controller") != controller.name:
            taken = (f"taken for {record.get('controller')} {record.get('version')}"
                     if record.get("version") else "records no controller version")
            found.append(Problem(schema, "crd-version", (
                f"{taken}, but {controller.name} is pinned at {controller.app_version} "
                f"(chart {controller.chart} {controller.version}); refresh this controller's "
                "schemas from a catalog of that version: `scripts/refresh-crd-schemas --from "
                "CATALOG_DIR --source SOURCE`")))
    return found
