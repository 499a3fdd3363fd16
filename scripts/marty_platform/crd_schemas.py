"""The CRD schemas the repo carries (schemas/crds/), so a clone validates every custom resource.

Layout: `schemas/crds/{group}/{kind}_{version}.json`, kubeconform's default CRD layout, with the
kind lower-cased. Most files are byte-exact copies from the datreeio/CRDs-catalog (MIT); a few
are hand-written where the catalog has none. `schemas/crds/sources.yaml` records where each file
came from (and the digest of each copy), and is what `scripts/refresh-crd-schemas` rewrites.

The set is exactly the custom kinds the overlays render: `refresh` recomputes it from a render of
every overlay and copies those schemas from a catalog directory; `compare` reports a rendered
custom kind without a schema, a schema nothing renders, and a copy edited by hand.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform import jsonio, k8s_schemas
from marty_platform.errors import UsageError
from marty_platform.model import ManifestObject
from marty_platform.yamlio import YamlError, load_one

VENDORED_DIR = "schemas/crds"
SOURCES_FILE = "sources.yaml"
HAND_WRITTEN = "hand-written"
DEFAULT_SOURCE = "datreeio/CRDs-catalog"
# kubeconform resolves a schema's $id, $schema and non-local $ref; from files a pull request can
# change, any of these could make validation read a file or reach for the network. They are looked
# for in the decoded JSON: a key written with escapes (`"\u0024ref"`) is the same key to
# kubeconform's decoder.
_LOCATING_KEYS = {"$id", "$schema", "$anchor", "$dynamicAnchor"}
_REFERENCE_KEYS = {"$ref", "$dynamicRef", "$recursiveRef"}

Kind = tuple[str, str, str]  # (group, kind, version)


def schema_path(kind: Kind) -> str:
    """The file of a kind's schema, relative to a schema directory."""
    group, name, version = kind
    return f"{group}/{name.lower()}_{version}.json"


def custom_kinds(objects: list[ManifestObject], kubernetes_version: str,
                 cache_dir: Path, package_version: str) -> set[Kind]:
    """(group, kind, version) of every rendered object Kubernetes itself does not serve."""
    served = k8s_schemas.served_api_versions(
        k8s_schemas.ensure_schemas(kubernetes_version, cache_dir, package_version))
    kinds = set()
    for obj in objects:
        api_version, kind = str(obj.data.get("apiVersion")), str(obj.data.get("kind"))
        group, _, version = api_version.rpartition("/")
        if group and kind not in served:
            kinds.add((group, kind, version))
    return kinds


def unsafe_schemas(directory: Path) -> list[str]:
    """Entries kubeconform must not read, relative to `directory`: symlinks (they may lead out of
    the repo) and schemas that name a remote reference."""
    unsafe = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        for name in sorted([*dirnames, *filenames]):
            path = Path(dirpath) / name
            if path.is_symlink() or (name.endswith(".json") and _refers_elsewhere(path)):
                unsafe.append(path.relative_to(directory).as_posix())
    return sorted(unsafe)


def _refers_elsewhere(path: Path) -> bool:
    """Whether a schema file could make kubeconform resolve something outside it (a file that
    does not decode counts: what kubeconform's decoder would make of it is not known)."""
    try:
        pending = [jsonio.load_file(path)]
    except jsonio.JsonError:
        return True
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _LOCATING_KEYS or (key in _REFERENCE_KEYS and not (
                        isinstance(value, str) and value.startswith("#"))):
                    return True
                pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sources(directory: Path) -> dict[str, dict]:
    path = directory / SOURCES_FILE
    if not path.is_file():
        return {}
    try:
        data = load_one(path) or {}
    except (OSError, YamlError):
        return {}  # every copy then counts as edited; the yaml check names the syntax error
    schemas = data.get("schemas") if isinstance(data, dict) else None
    return {str(k): v for k, v in schemas.items() if isinstance(v, dict)} \
        if isinstance(schemas, dict) else {}


def _write_sources(directory: Path, sources: dict[str, dict]) -> None:
    lines = ["# Where each CRD schema in this directory comes from. Rewritten by",
             "# `scripts/refresh-crd-schemas`; add a hand-written schema here by hand, with",
             f"# `source: {HAND_WRITTEN}`. Catalog copies are byte-exact (sha256 of the file).",
             "schemas:"]
    for name in sorted(sources):
        entry = sources[name]
        fields = ", ".join(f"{key}: {entry[key]}" for key in
                           ("source", "sha256", "controller", "version") if key in entry)
        lines.append(f"  {name}: {{{fields}}}")
    (directory / SOURCES_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Comparison:
    missing: list[str] = field(default_factory=list)  # rendered, no schema carried
    orphaned: list[str] = field(default_factory=list)  # carried, nothing renders it
    edited: list[str] = field(default_factory=list)  # a catalog copy that no longer matches

    @property
    def ok(self) -> bool:
        return not (self.missing or self.orphaned or self.edited)


def _carried(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*.json")} \
        if directory.is_dir() else set()


def edited_copies(directory: Path) -> list[str]:
    """Carried schemas that are neither hand-written nor the copy sources.yaml recorded."""
    sources = read_sources(directory)
    return [name for name in sorted(_carried(directory))
            if sources.get(name, {}).get("source") != HAND_WRITTEN
            and sources.get(name, {}).get("sha256") != _sha256(directory / name)]


def compare(directory: Path, used: set[Kind]) -> Comparison:
    wanted = {schema_path(kind) for kind in used}
    carried = _carried(directory)
    return Comparison(missing=sorted(wanted - carried), orphaned=sorted(carried - wanted),
                      edited=[name for name in edited_copies(directory) if name in wanted])


def refresh(directory: Path, used: set[Kind], catalog: Path, source: str,
            versions: dict[str, dict] | None = None) -> Comparison:
    """Copy the schema of every used kind from `catalog`, keep hand-written ones, drop the rest.
    `versions` (schema -> {controller, version}) records which controller version each schema
    is taken for. Returns what is still missing (in neither the catalog nor hand-written)."""
    if not catalog.is_dir():
        raise UsageError(f"{catalog}: no such catalog directory")
    sources = read_sources(directory)
    directory.mkdir(parents=True, exist_ok=True)
    kept: dict[str, dict] = {}
    missing = []
    for name in sorted(schema_path(kind) for kind in used):
        target, origin = directory / name, catalog / name
        if sources.get(name, {}).get("source") == HAND_WRITTEN and target.is_file():
            kept[name] = {"source": HAND_WRITTEN}
        elif origin.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target)
            kept[name] = {"source": source, "sha256": _sha256(target)}
        else:
            missing.append(name)
            continue
        kept[name].update((versions or {}).get(name, {}))
    orphaned = sorted(_carried(directory) - set(kept) - set(missing))
    for name in orphaned:
        (directory / name).unlink()
        parent = (directory / name).parent
        if parent != directory and not any(parent.iterdir()):
            parent.rmdir()
    if (catalog / "LICENSE").is_file():
        shutil.copyfile(catalog / "LICENSE", directory / "LICENSE")
    _write_sources(directory, kept)
    return Comparison(missing=missing, orphaned=orphaned)


def used_kinds(ctx) -> set[Kind]:
    """The custom kinds every overlay of every env renders (a render failure is a usage error:
    the set would be incomplete)."""
    from marty_platform.envconfig import load_env_config
    from marty_platform.render import Renderer

    renderer = Renderer(ctx.repo, ctx.toolbox, ctx.cache_dir, ctx.manifest.fingerprint())
    kinds: set[Kind] = set()
    for env in ctx.repo.envs():
        version = load_env_config(ctx.repo, env).kubernetes_version
        for rendered in ctx.pool.map(renderer.render, ctx.repo.overlays([env])):
            if rendered.findings:
                first = rendered.findings[0]
                raise UsageError(f"{first.file}: {first.message}")
            kinds |= custom_kinds(rendered.objects, version, ctx.cache_dir / "schemas",
                                  ctx.manifest.kubernetes_schemas_version)
    return kinds
