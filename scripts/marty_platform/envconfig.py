"""Per-environment configuration: overlays/<env>/env.yaml, checked against its JSON schema."""
from __future__ import annotations

from dataclasses import dataclass, field

from marty_platform.errors import UsageError
from marty_platform.repo import Repo
from marty_platform.schema_check import validate_instance
from marty_platform.yamlio import YamlError, load_one

SCHEMA = "schemas/env-config.schema.json"


@dataclass(frozen=True)
class EnvConfig:
    name: str
    kubernetes_version: str
    namespaces: tuple[str, ...] = ()
    missing_schema: str = "warning"  # severity of "not checked: no schema"
    next_minor: str = "warning"  # severity of APIs the next minor version no longer serves
    warnings_are_errors: bool = False
    require_digest: bool = False  # images.requireDigest: every image pinned by digest
    pod_security: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


def load_env_config(repo: Repo, env: str) -> EnvConfig:
    """The env's config; a missing or invalid one is a usage error naming the file."""
    path = repo.env_config_path(env)
    rel = repo.rel(path)
    if not path.is_file():
        known = ", ".join(repo.envs()) or "none"
        raise UsageError(f"unknown env {env!r}: {rel} does not exist (known envs: {known})")
    try:
        data = load_one(path)
    except YamlError as exc:
        raise UsageError(f"{rel}:{exc.line or 1}: {exc.message}") from None
    errors = validate_instance(repo, data, SCHEMA)
    if errors:
        raise UsageError(f"{rel}: invalid env config: {errors[0]}")
    strictness = data.get("strictness", {})
    return EnvConfig(
        name=data["name"],
        kubernetes_version=str(data["kubernetesVersion"]),
        namespaces=tuple(data.get("namespaces", ())),
        missing_schema=strictness.get("missingSchema", "warning"),
        next_minor=strictness.get("nextMinorRemovals", "warning"),
        warnings_are_errors=bool(strictness.get("warningsAreErrors", False)),
        require_digest=bool(data.get("images", {}).get("requireDigest", False)),
        pod_security=data.get("podSecurity", {"default": "restricted"}),
        raw=data,
    )
