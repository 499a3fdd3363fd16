"""Per-environment configuration: overlays/<env>/env.yaml, checked against its JSON schema.

The env configs are also the one place that says which envs there are, in which order releases
move through them (`promotesFrom`: dev → staging → prod), which are production (`tier`), which
env's rules judge rendered manifests given without --env (`defaultForManifests`) and what a new
service's overlay gets in each env (`scaffold.components`). No module names an env itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
    promotes_from: str | None = None  # the env whose releases promotion brings here
    production: bool = False  # tier: production
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
    errors = validate_instance(repo, data, SCHEMA) or _shape_problems(data)
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
        promotes_from=data.get("promotesFrom"),
        production=data.get("tier") == PRODUCTION,
        raw=data,
    )


PRODUCTION = "production"
_SEVERITIES = ("error", "warning", "info")


def _shape_problems(data: object) -> list[str]:
    """What EnvConfig is built from, checked in code as well: the schema is in the repo, and a
    pull request that loosens it must get a usage error here, not a crash further on."""
    if not isinstance(data, dict):
        return ["(root): must be a mapping"]
    problems = [] if isinstance(data.get("name"), str) else ["name: required text"]
    version = data.get("kubernetesVersion")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        problems.append("kubernetesVersion: required, e.g. \"1.34\"")
    namespaces = data.get("namespaces", [])
    if not isinstance(namespaces, list) or not all(isinstance(n, str) for n in namespaces):
        problems.append("namespaces: must be a list of names")
    for key in ("strictness", "images", "podSecurity"):
        if not isinstance(data.get(key, {}), dict):
            problems.append(f"{key}: must be a mapping")
    strictness = data.get("strictness", {})
    if isinstance(strictness, dict):
        problems += [f"strictness/{key}: must be one of {', '.join(_SEVERITIES)}"
                     for key in ("missingSchema", "nextMinorRemovals")
                     if strictness.get(key, "warning") not in _SEVERITIES]
    if not isinstance(data.get("promotesFrom", ""), (str, type(None))):
        problems.append("promotesFrom: must be an env name")
    return problems


def _declared(path: Path) -> dict:
    """The env.yaml fields that order the envs, read leniently: a broken env.yaml is reported by
    validation (and refused by load_env_config); here it only loses its place in the order."""
    try:
        data = load_one(path)
    except (YamlError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def ordered_envs(root: Path, names: list[str]) -> list[str]:
    """`names` (env directories) in promotion order: an env comes after the env it promotes
    from; envs that no chain orders come last, by name."""
    upstream = {name: _declared(root / "overlays" / name / "env.yaml").get("promotesFrom")
                for name in names}
    ordered: list[str] = []
    frontier = sorted(name for name in names if upstream[name] is None)
    while frontier:
        env = frontier.pop(0)
        ordered.append(env)
        frontier += sorted(n for n in names if upstream[n] == env and n not in ordered)
    return ordered + sorted(n for n in names if n not in ordered)


def promotion_paths(repo: Repo) -> list[tuple[str, str]]:
    """Every (from, to) promotion the env configs allow, in env order."""
    return [(source, env) for env in repo.envs()
            if (source := _declared(repo.env_config_path(env)).get("promotesFrom"))]


def first_env(repo: Repo) -> str:
    """The env releases enter: the first in promotion order."""
    envs = repo.envs()
    if not envs:
        raise UsageError("no env: overlays/<env>/env.yaml exists for none")
    return envs[0]


def manifest_env(repo: Repo) -> str:
    """The env whose rules and Kubernetes version judge rendered manifests given without --env:
    the one whose env.yaml sets `defaultForManifests: true`, else the last in promotion order
    (the strictest, production)."""
    envs = repo.envs()
    marked = [env for env in envs
              if _declared(repo.env_config_path(env)).get("defaultForManifests") is True]
    if len(marked) > 1:
        raise UsageError(f"envs {', '.join(marked)} all set defaultForManifests in their "
                         "env.yaml; at most one may")
    if marked:
        return marked[0]
    if not envs:
        raise UsageError("no env: overlays/<env>/env.yaml exists for none")
    return envs[-1]


def scaffold_components(root: Path, env: str) -> list[str]:
    """The kustomize components (base/components/<name>) a new service's overlay gets in `env`,
    besides the mesh sidecar every overlay has: the env.yaml's `scaffold.components`."""
    scaffold = _declared(root / "overlays" / env / "env.yaml").get("scaffold")
    names = scaffold.get("components") if isinstance(scaffold, dict) else None
    return [str(name) for name in names] if isinstance(names, list) else []


def production_envs(repo: Repo) -> frozenset[str]:
    return frozenset(env for env in repo.envs()
                     if _declared(repo.env_config_path(env)).get("tier") == PRODUCTION)
