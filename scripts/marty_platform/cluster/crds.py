"""CustomResourceDefinitions for the custom kinds an env renders, built from the CRD schemas the
repo carries (schemas/crds/), so the hermetic server knows every custom kind.

They are built when a server is set up, not committed: the carried schemas are the one source
(`scripts/refresh-crd-schemas --check` keeps them matched to the render), and a second, generated
copy would only be one more file to keep fresh.

The catalog's schemas are JSON Schema for kubeconform's strict mode; a CRD needs a structural
OpenAPI schema instead. The translation: `additionalProperties: false` goes (a structural schema
prunes unknown fields by itself, and strict field validation turns a pruned field into a
rejection), a `type` list becomes `nullable` or `x-kubernetes-int-or-string`, and `metadata`
is left to the server (a CRD may not constrain it beyond name).
"""
from __future__ import annotations

import json
from pathlib import Path

from marty_platform.crd_schemas import VENDORED_DIR, Kind, schema_path
from marty_platform.errors import UsageError

# Not kept: JSON Schema identifiers, and descriptions (the largest schemas would otherwise pass
# etcd's 1.5 MiB object limit; a dry run needs no documentation).
_DROPPED = ("$schema", "$id", "description")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def structural(node):
    """The JSON schema `node` as a structural OpenAPI v3 schema. Only schema positions are
    rewritten; values (`default`, `enum`, `example`) are kept as they are."""
    if not isinstance(node, dict):
        return node
    out = {key: value for key, value in node.items() if key not in _DROPPED}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: structural(sub) for name, sub in out["properties"].items()}
    for key in ("items",):
        if isinstance(out.get(key), dict):
            out[key] = structural(out[key])
    for key in _SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [value_validation(sub) for sub in out[key]]
    if isinstance(out.get("not"), dict):
        out["not"] = value_validation(out["not"])
    extra = out.get("additionalProperties")
    if extra is False or (extra is not None and "properties" in out):
        out.pop("additionalProperties")
    elif extra is True:  # "anything": in a CRD, fields kept as they are sent
        out.pop("additionalProperties")
        out["x-kubernetes-preserve-unknown-fields"] = True
    elif isinstance(extra, dict):
        out["additionalProperties"] = structural(extra)
    kinds = out.get("type")
    if isinstance(kinds, list):
        rest = [kind for kind in kinds if kind != "null"]
        if len(rest) < len(kinds):
            out["nullable"] = True
        if set(rest) == {"integer", "string"}:
            out.pop("type")
            out["x-kubernetes-int-or-string"] = True
        elif rest:
            out["type"] = rest[0]
        else:
            out.pop("type")
    if "properties" in out and "type" not in out:
        out["type"] = "object"
    return out


# What a structural schema allows only outside allOf/anyOf/oneOf/not.
_STRUCTURE = ("type", "nullable", "default", "additionalProperties", "description", "$schema",
              "$id")


def value_validation(node):
    """A subschema of allOf/anyOf/oneOf/not, which may only validate values: the structure
    (types, defaults, nullability, Kubernetes extensions) is the outer schema's."""
    if not isinstance(node, dict):
        return node
    out = {key: value for key, value in node.items()
           if key not in _STRUCTURE and not key.startswith("x-kubernetes-")}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: value_validation(sub)
                             for name, sub in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = value_validation(out["items"])
    for key in (*_SCHEMA_LISTS, "not"):
        if isinstance(out.get(key), list):
            out[key] = [value_validation(sub) for sub in out[key]]
        elif isinstance(out.get(key), dict):
            out[key] = value_validation(out[key])
    return out


def plural(kind: str) -> str:
    name = kind.lower()
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


def _schema(root: Path, kind: Kind) -> dict:
    path = root / VENDORED_DIR / schema_path(kind)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{VENDORED_DIR}/{schema_path(kind)}: no usable CRD schema for "
                         f"{kind[1]} ({type(exc).__name__}); run `scripts/refresh-crd-schemas`") from None
    schema = structural(schema)
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    return schema


def definitions(root: Path, kinds: set[Kind],
                cluster_scoped: frozenset[tuple[str, str]]) -> list[dict]:
    """One CRD per (group, kind), serving every version rendered; the newest one is stored."""
    versions: dict[tuple[str, str], list[str]] = {}
    for group, kind, version in sorted(kinds):
        versions.setdefault((group, kind), []).append(version)
    crds = []
    for (group, kind), served in sorted(versions.items()):
        scope = "Cluster" if (kind, group) in cluster_scoped else "Namespaced"
        crds.append({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural(kind)}.{group}"},
            "spec": {
                "group": group,
                "scope": scope,
                "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural(kind),
                          "singular": kind.lower()},
                "versions": [{"name": version, "served": True, "storage": version == served[-1],
                              "schema": {"openAPIV3Schema": _schema(root, (group, kind, version))},
                              "subresources": {"status": {}}}
                             for version in served],
            },
        })
    return crds
