"""Offline Kubernetes JSON schemas for kubeconform, from the pinned kubernetes-validate package.

The package's schemas carry `$id: https://kubernetes.io/...` and absolute
`$ref: /api/_definitions.json#...`; kubeconform would resolve those over the network. They are
rewritten once per Kubernetes version into a git-ignored cache, with refs pointing at the sibling
`_definitions.json` and no `$id`, so every reference resolves on disk.
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from marty_platform.errors import ToolError

_ABSOLUTE_REF = '"/api/_definitions.json#'
_SIBLING_REF = '"_definitions.json#'


def package_root() -> Path:
    try:
        import kubernetes_validate
    except ImportError:
        raise ToolError("kubernetes-validate is not installed; run `make bootstrap`") from None
    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


@lru_cache(maxsize=None)
def shipped_versions() -> tuple[str, ...]:
    """Kubernetes minor versions the package ships, as "1.33"."""
    names = [p.name for p in package_root().iterdir() if p.name.endswith("-local-strict")]
    minors = {".".join(n[1:].split(".")[:2]) for n in names}
    return tuple(sorted(minors, key=lambda v: tuple(int(x) for x in v.split("."))))


def next_minor(version: str) -> str:
    major, minor = version.split(".")[:2]
    return f"{major}.{int(minor) + 1}"


def _source_dir(version: str) -> Path:
    return package_root() / f"v{version}.0-local-strict"


def _rewrite(text: str) -> str:
    text = text.replace(_ABSOLUTE_REF, _SIBLING_REF)
    data = json.loads(text)
    data.pop("$id", None)
    return json.dumps(data)


def ensure_schemas(version: str, cache_root: Path, package_version: str) -> Path:
    """The directory of rewritten strict schemas for a Kubernetes minor version."""
    source = _source_dir(version)
    if not source.is_dir():
        raise ToolError(f"no Kubernetes {version} schemas in kubernetes-validate "
                        f"{package_version} (ships {', '.join(shipped_versions())})")
    target = cache_root / f"kubernetes-validate-{package_version}" / f"v{version}-strict"
    if (target / ".complete").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".v{version}-", dir=target.parent))
    for schema in source.glob("*.json"):
        (staging / schema.name).write_text(_rewrite(schema.read_text(encoding="utf-8")),
                                           encoding="utf-8")
    _write_index(staging)
    (staging / ".complete").write_text(package_version, encoding="utf-8")
    try:
        os.replace(staging, target)
    except OSError:  # another process finished first; its copy is identical
        pass
    return target


def _write_index(schema_dir: Path) -> None:
    """kind -> the apiVersions this Kubernetes version serves it under, for removed-API advice."""
    index: dict[str, list[str]] = {}
    for schema in schema_dir.glob("*.json"):
        if schema.name.startswith("_"):
            continue
        data = json.loads(schema.read_text(encoding="utf-8"))
        for gvk in data.get("x-kubernetes-group-version-kind") or ():
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
            index.setdefault(gvk["kind"], []).append(api_version)
    (schema_dir / ".index.json").write_text(json.dumps(index, sort_keys=True), encoding="utf-8")


@lru_cache(maxsize=None)
def served_api_versions(schema_dir: Path) -> dict[str, list[str]]:
    return json.loads((schema_dir / ".index.json").read_text(encoding="utf-8"))


def has_schema(schema_dir: Path, kind: str, api_version: str) -> bool:
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return (schema_dir / f"{kind.lower()}{suffix}.json").is_file()


def location_template(schema_dir: Path) -> str:
    return f"{schema_dir}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json"
