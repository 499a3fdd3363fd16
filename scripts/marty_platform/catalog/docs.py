"""docs/services.md: the service table."""
from __future__ import annotations

from marty_platform.catalog.model import METRICS_PORT, Service

# --- docs/services.md -------------------------------------------------------------------------

def services_md(services: list[Service], envs: list[str]) -> str:
    by_name = {s.name: s for s in services}
    lines = [
        "<!-- GENERATED from catalog/services.yaml by `scripts/generate`;"
        " do not edit. -->",
        "# Services",
        "",
        "The services the Marty platform runs, generated from `catalog/services.yaml` (the single "
        "source of truth). Every service also serves Prometheus metrics on port "
        f"{METRICS_PORT} (`metrics`), runs under its own ServiceAccount without an API token, and "
        "is rendered from `charts/microservice`.",
        "",
        "| Service | Port | Protocol | Dependencies | Called by | Database | Team | Delivery |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in services:
        deps = ", ".join(f"[{d}](#{d})" if d in by_name else d for d in s.dependencies) or "-"
        callers = ", ".join(s.callers) or ("ingress gateway" if s.public else "-")
        if s.public and s.callers:
            callers += ", ingress gateway"
        db = f"PostgreSQL `{s.name}-db` (database `{s.db_name}`)" if s.database else "-"
        lines.append(f"| <a id=\"{s.name}\"></a>`{s.name}` | {s.port} | {s.protocol} | {deps} | "
                     f"{callers} | {db} | {s.team} | {s.rollout} |")
    lines += ["", "## Descriptions", ""]
    lines += [f"- **{s.name}**: {s.description}" for s in services if s.description]
    lines += ["", f"Overlays: `overlays/<env>/<service>/` for env in {', '.join(envs)}. "
              "See [delivery.md](delivery.md) for how a change reaches an env.", ""]
    return "\n".join(lines)
