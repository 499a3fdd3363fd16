"""The catalog itself: its services, and what every derived file shares (labels, header, YAML style)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from marty_platform.yamlio import load_config

CATALOG = "catalog/services.yaml"
METRICS_PORT = 9090
# Catalog dependencies that are infrastructure rather than services.
INFRA = {"postgresql", "kafka", "redis", "vault", "object-storage"}
HEADER = ("# GENERATED from catalog/services.yaml by `scripts/generate`.\n"
          "# Do not edit: change the catalog and regenerate (CI runs the `check` mode).\n")
PART_OF = "marty"
KAFKA_CLUSTER = "marty"


@dataclass(frozen=True)
class Service:
    name: str
    protocol: str
    port: int
    team: str
    database: bool
    dependencies: tuple[str, ...]
    description: str = ""
    rollout: str = "canary"
    public: bool = False
    callers: tuple[str, ...] = field(default=())

    @property
    def service_deps(self) -> list[str]:
        return [d for d in self.dependencies if d not in INFRA]

    @property
    def db_name(self) -> str:
        return self.name.replace("-", "_")


def load(root: Path) -> list[Service]:
    data = load_config(root / CATALOG, CATALOG)
    raw = data["services"]
    callers: dict[str, list[str]] = {s["name"]: [] for s in raw}
    for s in raw:
        for dep in s.get("dependencies", []):
            if dep in callers:
                callers[dep].append(s["name"])
    return [Service(name=s["name"], protocol=s["protocol"], port=int(s["port"]), team=s["team"],
                    database=bool(s["database"]), dependencies=tuple(s.get("dependencies", [])),
                    description=s.get("description", ""), rollout=s.get("rollout", "canary"),
                    public=bool(s.get("public", False)), callers=tuple(sorted(callers[s["name"]])))
            for s in raw]


class IndentedDumper(yaml.SafeDumper):
    """Block sequences indented under their key (the style of the hand-written files)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump(docs: list[dict]) -> str:
    return HEADER + "".join("---\n" + yaml.safe_dump(d, sort_keys=False, width=120)
                            for d in docs)


def labels_for(svc: Service, component: str | None = None) -> dict:
    labels = {"app.kubernetes.io/name": svc.name, "app.kubernetes.io/part-of": PART_OF,
              "marty.dev/team": svc.team}
    if component:
        labels["app.kubernetes.io/component"] = component
    return labels
