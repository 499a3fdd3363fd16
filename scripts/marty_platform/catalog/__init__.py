"""The service catalog (catalog/services.yaml) and the files derived from it.

`catalog/services.yaml` is the single source of truth for the services. This module turns it into
plain, committed kustomize/helm inputs and docs, so nothing downstream reads the catalog at deploy
time:

- docs/services.md                               the service table
- base/services/<name>/                        the service's base: chart values (identity, ports,
                                                callers, egress) and its ExternalSecret
- base/platform/network/catalog-allow.yaml      NetworkPolicies to the data tier (postgres, kafka,
                                                redis, object storage)
- base/platform/mesh/authorization-policies.yaml  one Istio AuthorizationPolicy per service
- base/platform/data/postgres-clusters.yaml     CloudNativePG Cluster + ScheduledBackup per database
- base/platform/data/redis.yaml                 hardened Redis StatefulSets for the services that use one
- base/platform/certs/service-certificates.yaml  one cert-manager Certificate per service
- gitops/flux/<env>/                            Flux source, applier identity and one Kustomization
                                                per overlay directory (from overlays/<env>/*)

Modules: `model` (the services, shared labels and YAML style), `docs`, `services` (each
service's base), `platform` (allow-rules, mesh policies, certificates, data stores), `flux`, and
`scaffold` (what is created once: overlays, SLO spec stubs).

`scripts/generate` writes them (`--check` lists the stale ones; CI fails on any). It also
scaffolds the overlays (`overlays/<env>/<name>/`) of a service new to the catalog, once: existing
overlays are never overwritten, because they carry the per-env image versions promotion PRs change.
Likewise it scaffolds an SLO spec stub (`monitoring/slo/<name>.yaml`: availability and latency
from the service's protocol) for a service that has none, once; teams then tune the objectives.
"""
from __future__ import annotations

from pathlib import Path

from marty_platform.catalog import components as platform_components
from marty_platform.catalog.docs import services_md
from marty_platform.catalog.flux import FLUX_KUSTOMIZATION, flux_kustomizations, flux_source
from marty_platform.catalog.model import PART_OF, Service, load
from marty_platform.catalog.platform import (
    authorization_policies,
    network_policies,
    postgres_clusters,
    redis,
    service_certificates,
)
from marty_platform.catalog.scaffold import (
    missing_overlays,
    missing_slo_specs,
    scaffold,
    scaffold_slo_specs,
    slo_spec_stub,
)
from marty_platform.catalog.services import external_secret, service_base, service_values
from marty_platform.repo import Repo

__all__ = ["PART_OF", "Service", "load", "missing_overlays", "missing_slo_specs", "outputs",
           "scaffold", "scaffold_slo_specs", "slo_spec_stub"]

def outputs(root: Path) -> dict[str, str]:
    """Every generated file: repo-relative path -> content."""
    services = load(root)
    components = platform_components.load(root)
    envs = Repo(root).envs()
    out = {"docs/services.md": services_md(services, envs),
           "base/platform/network/catalog-allow.yaml": network_policies(services),
           "base/platform/mesh/authorization-policies.yaml": authorization_policies(services),
           "base/platform/data/postgres-clusters.yaml": postgres_clusters(services, components),
           "base/platform/data/redis.yaml": redis(services, components),
           "base/platform/certs/service-certificates.yaml": service_certificates(services)}
    for s in services:
        out[f"base/services/{s.name}/values.yaml"] = service_values(s, services)
        out[f"base/services/{s.name}/kustomization.yaml"] = service_base(s)
        out[f"base/services/{s.name}/external-secret.yaml"] = external_secret(s)
    for env in envs:
        out[f"gitops/flux/{env}/kustomization.yaml"] = FLUX_KUSTOMIZATION.format(env=env)
        out[f"gitops/flux/{env}/source.yaml"] = flux_source(env)
        out[f"gitops/flux/{env}/kustomizations.yaml"] = flux_kustomizations(
            root, env, [s.name for s in services])
    return out
