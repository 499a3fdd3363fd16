"""catalog/platform-components.yaml: images, digests and sizes of the platform components
(PostgreSQL, Redis, the OpenTelemetry collector) the generators write into base/platform/.
Data, not code, so that Renovate and reviewers see every version bump."""
from __future__ import annotations

from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.repo import Repo
from marty_platform.schema_check import validate_instance
from marty_platform.yamlio import load_config

COMPONENTS = "catalog/platform-components.yaml"
SCHEMA = "schemas/platform-components.schema.json"
PLACEHOLDER = "placeholder"


def load(root: Path) -> dict:
    """The components, checked against their schema; a problem is a usage error naming the file
    (the schema check reports the same problems with their lines)."""
    data = load_config(root / COMPONENTS, COMPONENTS)
    problems = validate_instance(Repo(root), data, SCHEMA)
    if problems:
        raise UsageError(f"{COMPONENTS}: {problems[0]} (schema {SCHEMA}); "
                         "`scripts/validate catalog/` lists every problem with its line")
    return data


def image(component: dict) -> str:
    """`image:tag`, with `@digest` when the component records one."""
    pinned = f"{component['image']}:{component['tag']}"
    return f"{pinned}@{component['digest']}" if component.get("digest") else pinned


def collector_resources(components: dict, env: str) -> dict:
    per_env = components["otelCollector"]["resources"]
    return per_env.get(env, per_env["default"])
