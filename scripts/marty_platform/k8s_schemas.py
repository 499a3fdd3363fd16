"""Offline Kubernetes JSON schemas for kubeconform, from the pinned kubernetes-validate package.

The package's schemas carry `$id: https://kubernetes.io/...` and absolute
`$ref: /api/_definitions.json#...`; kubeconform would resolve those over the network. Each schema
a run needs is made self-contained once, in a git-ignored cache: the definitions it references
(transitively) are inlined under `$defs`, refs point at them, and `$id` is dropped. kubeconform then
reads one small file per kind instead of resolving into a 1.4 MB definitions file each time.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from marty_platform.errors import ToolError

_DEFS_REF = re.compile(r'"\$ref":\s*"(?:/api/_definitions\.json)?#/\$defs/([^"]+)"')


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


def schema_name(kind: str, api_version: str) -> str:
    """The file name kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` resolves to."""
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def location_template(schema_dir: Path) -> str:
    return f"{schema_dir}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json"


def _atomic_write(path: Path, text: str) -> None:
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(partial, path)


def ensure_schemas(version: str, cache_root: Path, package_version: str) -> Path:
    """The cache directory for a Kubernetes minor version, with its index of served APIs."""
    if not _source_dir(version).is_dir():
        raise ToolError(f"no Kubernetes {version} schemas in kubernetes-validate "
                        f"{package_version} (ships {', '.join(shipped_versions())})")
    target = cache_root / f"kubernetes-validate-{package_version}" / f"v{version}-strict"
    target.mkdir(parents=True, exist_ok=True)
    if not (target / ".index.json").is_file():
        _atomic_write(target / ".index.json", json.dumps(_index(version), sort_keys=True))
    return target


def _index(version: str) -> dict[str, list[str]]:
    """kind -> the apiVersions this Kubernetes version serves it under, for removed-API advice."""
    index: dict[str, list[str]] = {}
    for schema in sorted(_source_dir(version).glob("*.json")):
        if schema.name.startswith("_"):
            continue
        data = json.loads(schema.read_text(encoding="utf-8"))
        for gvk in data.get("x-kubernetes-group-version-kind") or ():
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
            index.setdefault(gvk["kind"], []).append(api_version)
    return index


@lru_cache(maxsize=None)
def builtin_groups() -> frozenset[str]:
    """Every API group Kubernetes itself has served in any shipped version ("" is core), from
    the group-version-kinds the package's definitions declare (old groups such as `extensions`
    live on in them). Only these can be "removed": any other group is a CRD's."""
    groups: set[str] = set()
    for version in shipped_versions():
        defs, _ = _definitions(version)
        for body in defs.values():
            groups.update(gvk.get("group", "") for gvk in body.get("x-kubernetes-group-version-kind") or ())
    return frozenset(groups)


@lru_cache(maxsize=None)
def served_api_versions(schema_dir: Path) -> dict[str, list[str]]:
    return json.loads((schema_dir / ".index.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _definitions(version: str) -> tuple[dict, dict[str, frozenset[str]]]:
    """All definitions of a version, and for each the definitions it references directly."""
    text = (_source_dir(version) / "_definitions.json").read_text(encoding="utf-8")
    defs = json.loads(text)["$defs"]
    refs = {name: frozenset(_DEFS_REF.findall(json.dumps(body))) for name, body in defs.items()}
    return defs, refs


def _inline(version: str, text: str) -> str:
    defs, refs = _definitions(version)
    needed: set[str] = set()
    pending = list(_DEFS_REF.findall(text))
    while pending:
        name = pending.pop()
        if name not in needed and name in defs:
            needed.add(name)
            pending.extend(refs[name])
    schema = json.loads(_DEFS_REF.sub(lambda m: f'"$ref": "#/$defs/{m.group(1)}"', text))
    schema.pop("$id", None)
    schema["$defs"] = {name: defs[name] for name in sorted(needed)}
    return json.dumps(schema)


def ensure_kinds(schema_dir: Path, version: str, resources: set[tuple[str, str]]) -> None:
    """Self-contained schemas in `schema_dir` for every (kind, apiVersion) the version serves."""
    for kind, api_version in resources:
        name = schema_name(kind, api_version)
        target, source = schema_dir / name, _source_dir(version) / name
        if target.is_file() or not source.is_file():
            continue
        _atomic_write(target, _inline(version, source.read_text(encoding="utf-8")))
