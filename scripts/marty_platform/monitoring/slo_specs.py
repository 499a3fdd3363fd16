"""SLO specs: loading, schema validation and coverage of the service catalog."""
from __future__ import annotations

from pathlib import Path

from marty_platform.monitoring.findings import Finding, line_of, rel
from marty_platform.monitoring.layout import CATALOG, SLO_SCHEMA, slo_spec_files
from marty_platform.repo import Repo
from marty_platform.schema_check import schema_errors
from marty_platform.yamlio import YamlError, load_one


def catalog_services(root: Path) -> list[str]:
    try:
        document = load_one(root / CATALOG) or {}
    except (OSError, YamlError):
        return []  # the catalog and yaml checks name the problem
    if not isinstance(document, dict):
        return []
    return [str(s["name"]) for s in document.get("services") or [] if isinstance(s, dict)
            and s.get("name")]


def load_specs(root: Path) -> dict[Path, object]:
    """Every SLO spec file mapped to its parsed content (None if it is not valid YAML)."""
    specs: dict[Path, object] = {}
    for path in slo_spec_files(root):
        try:
            specs[path] = load_one(path)
        except (OSError, YamlError):
            specs[path] = None
    return specs


def services_without_slo(root: Path) -> list[str]:
    """Catalog services that have no SLO spec (a spec's `service:` field names its service)."""
    covered = {str(doc.get("service")) for doc in load_specs(root).values()
               if isinstance(doc, dict)}
    return [name for name in catalog_services(root) if name not in covered]


def check_specs(root: Path) -> list[Finding]:
    """Schema errors, file/service name mismatches, unknown services and missing SLOs."""
    known = set(catalog_services(root))
    findings: list[Finding] = []
    for path, doc in load_specs(root).items():
        name = rel(path, root)
        if doc is None:
            findings.append(Finding(name, None, "slo-yaml", "not valid YAML"))
            continue
        text = path.read_text(encoding="utf-8")  # it loaded, so it is UTF-8
        for error in schema_errors(Repo(root), doc, SLO_SCHEMA.as_posix()):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            last = next((p for p in reversed(error.absolute_path) if isinstance(p, str)), None)
            line = line_of(text, f"{last}:") if last else None
            findings.append(Finding(name, line, "slo-schema", f"{where}: {error.message}"))
        if not isinstance(doc, dict):
            continue
        service = str(doc.get("service", ""))
        if service and path.stem != service:
            findings.append(Finding(name, line_of(text, "service:"), "slo-file-name",
                                    f"spec for service {service!r} must be named {service}.yaml"))
        if service and service not in known:
            findings.append(Finding(name, line_of(text, "service:"), "slo-unknown-service",
                                    f"service {service!r} is not in {CATALOG.as_posix()}"))
    for service in services_without_slo(root):
        findings.append(Finding(CATALOG.as_posix(), line_of(
            (root / CATALOG).read_text(encoding="utf-8"), f"name: {service}"), "slo-missing",
            f"catalog service {service!r} has no SLO spec in monitoring/slo/{service}.yaml"))
    return findings
