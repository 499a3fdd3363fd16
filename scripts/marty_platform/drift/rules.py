"""The drift ignore configuration: config/drift-ignore.yaml, checked against its JSON schema."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.repo import Repo
from marty_platform.schema_check import validate_instance
from marty_platform.yamlio import YamlError, load_one

CONFIG = "config/drift-ignore.yaml"
SCHEMA = "schemas/drift-ignore.schema.json"
MANAGED_BY = "app.kubernetes.io/managed-by"


@dataclass(frozen=True)
class IgnoreRule:
    kind: str = "*"
    group: str | None = None
    name: str = "*"
    namespace: str = "*"
    envs: tuple[str, ...] = ()
    pointers: tuple[str, ...] = ()

    def applies(self, env: str, obj: dict) -> bool:
        meta = obj.get("metadata") or {}
        api_version = str(obj.get("apiVersion") or "")
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        return (fnmatch.fnmatchcase(str(obj.get("kind")), self.kind)
                and (self.group is None or self.group == group)
                and fnmatch.fnmatchcase(str(meta.get("name") or ""), self.name)
                and fnmatch.fnmatchcase(str(meta.get("namespace") or ""), self.namespace)
                and (not self.envs or env in self.envs))


@dataclass(frozen=True)
class TrackingMark:
    """A label or annotation a GitOps controller puts on what it applies, naming its app."""

    field: str  # "labels" or "annotations"
    name: str
    value: str  # a glob with {env} and {app} placeholders

    def matches(self, obj: dict, env: str, apps: tuple[str, ...]) -> bool:
        marks = (obj.get("metadata") or {}).get(self.field)
        found = marks.get(self.name) if isinstance(marks, dict) else None
        return isinstance(found, str) and any(
            fnmatch.fnmatchcase(found, self.value.format(env=env, app=app)) for app in apps)


@dataclass(frozen=True)
class DriftConfig:
    rules: tuple[IgnoreRule, ...] = ()
    injected_containers: tuple[str, ...] = ("istio-proxy", "istio-init")
    injected_volumes: tuple[str, ...] = ()
    managed_by_values: tuple[str, ...] = ()  # empty: the values the env's rendered objects use
    extra_kinds: tuple[str, ...] = field(default=())  # "Kind" or "Kind.group", always listed live
    tracking_marks: tuple[TrackingMark, ...] = ()
    app_label: str = "app.kubernetes.io/instance"


def load_drift_config(repo: Repo, path: Path | None = None) -> DriftConfig:
    path = path or repo.root / CONFIG
    if not path.is_file():
        return DriftConfig()
    rel = repo.rel(path)
    try:
        data = load_one(path) or {}
    except YamlError as exc:
        raise UsageError(f"{rel}:{exc.line or 1}: {exc.message}") from None
    errors = validate_instance(repo, data, SCHEMA)
    if errors:
        raise UsageError(f"{rel}: invalid drift ignore rules: {errors[0]}")
    rules = tuple(IgnoreRule(kind=r.get("kind", "*"), group=r.get("group"),
                             name=r.get("name", "*"), namespace=r.get("namespace", "*"),
                             envs=tuple(r.get("envs", ())), pointers=tuple(r["jsonPointers"]))
                  for r in data.get("rules", ()))
    injected = data.get("injected", {})
    ownership = data.get("ownership", {})
    marks = tuple(TrackingMark("labels" if "label" in m else "annotations",
                               m.get("label") or m["annotation"], m["value"])
                  for m in ownership.get("trackingMarks", ()))
    return DriftConfig(
        rules=rules,
        injected_containers=tuple(injected.get("containers", DriftConfig.injected_containers)),
        injected_volumes=tuple(injected.get("volumes", ())),
        managed_by_values=tuple(data.get("managedBy", ())),
        extra_kinds=tuple(data.get("extraKinds", ())),
        tracking_marks=marks,
        app_label=ownership.get("appLabel", DriftConfig.app_label),
    )


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def remove_pointer(obj, pointer: str) -> None:
    """Delete what a JSON pointer addresses, in place: a `*` token matches every list item, and a
    token holding `*` is a glob over map keys (`kustomize.toolkit.fluxcd.io~1*`)."""
    tokens = [_unescape(t) for t in pointer.split("/")[1:]]

    def walk(node, rest):
        if not rest:
            return
        token, tail = rest[0], rest[1:]
        if isinstance(node, dict):
            keys = [k for k in node if fnmatch.fnmatchcase(str(k), token)] if "*" in token \
                else [token] if token in node else []
            for key in keys:
                if tail:
                    walk(node[key], tail)
                else:
                    del node[key]
        elif isinstance(node, list):
            indexes = range(len(node)) if token == "*" else \
                [int(token)] if token.isdigit() and int(token) < len(node) else []
            for index in sorted(indexes, reverse=True):
                if tail:
                    walk(node[index], tail)
                else:
                    del node[index]

    walk(obj, tokens)
