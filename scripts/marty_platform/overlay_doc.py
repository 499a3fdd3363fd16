"""An overlay's kustomization as an editable document, and the places where it states a version.

Release and promotion edit the same few fields: an image's tag and digest, which live either in
the kustomization's `images:` entries (`newTag`, `digest`) or, for chart-based overlays, in
`helmCharts[].valuesInline.image` (`tag`, `digest`); a chart's `version`; and the
`app.kubernetes.io/version` label pair that states the running version. Files are edited with a
round-trip YAML parser, so comments, quoting and layout survive.

A kustomization that is not a well-formed mapping (duplicate keys, a list at the top, `images:`
that is not a list) is refused with a usage error naming the file and line: it is never guessed at.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from marty_platform.errors import UsageError
from marty_platform.repo import Overlay, Repo, kustomization_file
from marty_platform.yamlio import YamlError, load_one

VERSION_LABEL = "app.kubernetes.io/version"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass
class ImageSlot:
    """One image version: `node[tag_field]` and `node["digest"]` (node None: not stated yet)."""

    key: str  # what matches a slot across envs: "image <name>" or "chart <name>/<release>"
    label: str  # how notes name it
    node: dict | None
    tag_field: str
    line: int | None = None

    @property
    def tag(self):
        return None if self.node is None else self.node.get(self.tag_field)

    @property
    def digest(self):
        return None if self.node is None else self.node.get("digest")


@dataclass
class OverlayDoc:
    overlay: Overlay
    path: Path
    rel: str
    original: bytes
    yaml: YAML
    data: dict

    def dump(self) -> bytes:
        buffer = io.StringIO()
        self.yaml.dump(self.data, buffer)
        return buffer.getvalue().encode("utf-8")

    def image_slots(self) -> dict[str, ImageSlot]:
        slots: dict[str, ImageSlot] = {}
        for entry in self.data.get("images") or []:
            name = str(entry.get("name"))
            slots[f"image {name}"] = ImageSlot(f"image {name}", f"{name}: ", entry, "newTag",
                                               _line(entry, "newTag"))
        for chart in self.charts():
            release = str(chart.get("releaseName") or chart.get("name"))
            image = (chart.get("valuesInline") or {}).get("image")
            key = f"chart {chart.get('name')}/{release}"
            slots[key] = ImageSlot(key, f"{release}: image.",
                                   image if isinstance(image, dict) else None, "tag",
                                   _line(image, "tag") if isinstance(image, dict) else None)
        return slots

    def charts(self) -> list[dict]:
        return list(self.data.get("helmCharts") or [])

    def ensure_slot(self, key: str) -> ImageSlot | None:
        """The slot `key`, creating its mapping where the overlay can hold it (None: it cannot)."""
        slot = self.image_slots().get(key)
        if slot is not None and slot.node is not None:
            return slot
        kind, _, name = key.partition(" ")
        if kind == "image":
            if self.data.get("images") is None:
                self.data["images"] = []
            self.data["images"].append({"name": name})
        else:
            if slot is None:
                return None  # the chart is not in this overlay
            chart = next(c for c in self.charts() if
                         f"chart {c.get('name')}/{c.get('releaseName') or c.get('name')}" == key)
            if not isinstance(chart.get("valuesInline"), dict):
                chart["valuesInline"] = {}
            chart["valuesInline"]["image"] = {}
        return self.image_slots()[key]

    def version_labels(self) -> list[dict]:
        """The mappings in which the version label lives: labels[].pairs and commonLabels."""
        found = [entry["pairs"] for entry in self.data.get("labels") or []
                 if isinstance(entry, dict) and isinstance(entry.get("pairs"), dict)
                 and VERSION_LABEL in entry["pairs"]]
        common = self.data.get("commonLabels")
        if isinstance(common, dict) and VERSION_LABEL in common:
            found.append(common)
        return found


def set_image(slot: ImageSlot, tag, digest) -> list[str]:
    """Make the slot state exactly `tag` and `digest` (None: absent); one note per change."""
    notes = []
    for field_name, value in ((slot.tag_field, tag), ("digest", digest)):
        current = slot.node.get(field_name)
        if value is not None and current != value:
            notes.append(f"{slot.label}{field_name} {current or '(unset)'} → {value}")
            slot.node[field_name] = value
        elif value is None and field_name in slot.node:
            notes.append(f"{slot.label}{field_name} {current} removed")
            del slot.node[field_name]
    return notes


def string_scalar(value: str, quoted: bool = False):
    """`value` as a YAML string: quoted where a plain scalar would read as a number (1.10)."""
    if quoted or not isinstance(pyyaml.safe_load(value), str):
        return DoubleQuotedScalarString(value)
    return value


def _line(node, key: str) -> int | None:
    """1-based line of `key` in a round-trip mapping (else of the mapping; None: not known)."""
    position = getattr(node, "lc", None)
    if position is None:
        return None
    try:
        return position.key(key)[0] + 1
    except (KeyError, TypeError):
        return position.line + 1


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    match = re.search(r"^( *)- ", text, re.MULTILINE)
    offset = len(match.group(1)) if match else 0
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


def load(repo: Repo, overlay: Overlay) -> OverlayDoc:
    """The overlay's kustomization, checked to have the shape release and promotion edit."""
    path = kustomization_file(overlay.path)
    if path is None:
        raise UsageError(f"{repo.rel(overlay.path)}: no kustomization.yaml")
    rel = repo.rel(path)
    original = path.read_bytes()
    try:
        load_one(path)  # strict first: duplicate keys, alias bombs, bad encoding
        text = original.decode("utf-8")
        yaml = _yaml(text)
        data = yaml.load(text)
    except YamlError as exc:
        raise UsageError(f"{rel}:{exc.line or 1}: {exc.message}") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UsageError(f"{rel}:{mark.line + 1 if mark else 1}: "
                         f"{getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else type(data).__name__
        raise UsageError(f"{rel}:1: a kustomization is a mapping, not a {kind}")
    for key, item_kind in (("images", "image"), ("helmCharts", "chart")):
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise UsageError(f"{rel}:{_line(data, key) or 1}: `{key}:` must be a list of "
                             f"{item_kind} mappings")
    for chart in data.get("helmCharts") or []:
        values = chart.get("valuesInline")
        if values is not None and not isinstance(values, dict):
            raise UsageError(f"{rel}:{_line(chart, 'valuesInline') or 1}: "
                             "`valuesInline:` must be a mapping")
        image = (values or {}).get("image")
        if image is not None and not isinstance(image, dict):
            raise UsageError(f"{rel}:{_line(values, 'image') or 1}: "
                             "`valuesInline.image:` must be a mapping")
    return OverlayDoc(overlay, path, rel, original, yaml, data)
