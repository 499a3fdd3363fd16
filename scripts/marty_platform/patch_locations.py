"""Where a field of a rendered object was set: in a patch, or in the file that defines the object.

kustomize's origin annotation names the file that defined an object, and its transformer
annotation the kustomizations whose patches changed it, but not which patch: a finding about a
field a patch set would otherwise point at the base file (where the field is not) or at a
kustomization with no line. This module reads the `patches` (and the older `patchesStrategicMerge`
and `patchesJson6902`) of those kustomizations, newest first, and finds the patch that sets the
field and the field's line in it: in the patch file, or inside the inline patch of the
kustomization. Only files the kustomize graph already accepted are read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from marty_platform.model import ManifestObject
from marty_platform.yamlio import YamlError, load_documents, locate_pointer

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is present in supported installs
    _Loader = yaml.SafeLoader

# Keys strategic merge uses to pair list items (the patch's item with the rendered one).
_MERGE_KEYS = ("name", "containerPort", "mountPath", "devicePath", "port", "ip", "topologyKey")


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None
    note: str = ""  # said in the message when the origin is uncertain


def locate_field(obj: ManifestObject, repo_root: Path, pointer: str) -> Location:
    """The file and line of the field at `pointer` (a JSON pointer into the rendered object)."""
    parts = _parts(pointer)
    if obj.patched_in and parts:
        for kustomization in reversed(obj.patched_in):
            found = _in_kustomization(obj, repo_root, kustomization, parts)
            if found:
                return found
    source = Path(obj.file) if Path(obj.file).is_absolute() else repo_root / obj.file
    line = locate_pointer(source, obj.line, pointer) if parts and obj.line else None
    if obj.patched_in and parts and not _defines(source, obj.line, parts):
        return Location(obj.file, line or obj.line, note=(
            f"the field is not in this file; a patch of {', '.join(obj.patched_in)} changed "
            "the object, and kustomize does not record which patch set it"))
    return Location(obj.file, line or obj.line)


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]


def _compose(text: str) -> list:
    try:
        return [node for node in yaml.compose_all(text, Loader=_Loader) if node is not None]
    except yaml.YAMLError:
        return []


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _defines(source: Path, doc_line: int | None, parts: list[str]) -> bool:
    """Whether the source document has the field itself (not only a parent of it)."""
    text = _read(source) if doc_line else None
    if text is None:
        return True  # nothing to say otherwise
    node = next((n for n in _compose(text) if n.start_mark.line + 1 == doc_line), None)
    return node is not None and _walk(node, parts, None) is not None


def _mapping_get(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None


def _scalar(node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _walk(node, parts: list[str], rendered) -> int | None:
    """1-based line of the field at `parts` in a node tree, or None when the tree lacks it.

    With `rendered` (the object's rendered data) list items are paired by their merge key, as
    strategic merge does; without it, by index."""
    line = None
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            pair = _mapping_get(node, part)
            if pair is None:
                return None
            line, node = pair[0].start_mark.line + 1, pair[1]
            rendered = rendered.get(part) if isinstance(rendered, dict) else None
        elif isinstance(node, yaml.SequenceNode) and part.isdigit():
            index = int(part)
            item = rendered[index] if isinstance(rendered, list) and index < len(rendered) else None
            node = _pair_item(node, index, item, paired=rendered is not None)
            if node is None:
                return None
            line, rendered = node.start_mark.line + 1, item
        else:
            return None
    return line


def _pair_item(sequence, index: int, rendered_item, paired: bool):
    by_index = sequence.value[index] if index < len(sequence.value) else None
    if not paired:
        return by_index
    keyed = False
    for key in _MERGE_KEYS if isinstance(rendered_item, dict) else ():
        if key not in rendered_item:
            continue
        for candidate in sequence.value:
            pair = _mapping_get(candidate, key)
            keyed = keyed or pair is not None
            if pair and _scalar(pair[1]) == str(rendered_item[key]):
                return candidate
    # Items with merge keys that did not pair belong to other items; a list without merge keys
    # is replaced whole, so its items pair by position.
    return None if keyed else by_index


@dataclass(frozen=True)
class _Patch:
    text: str
    file: str  # repo-relative file holding the text
    first_line: int  # line of the file where the text starts, minus one
    target: dict | None
    json6902: bool | None  # None: decided by the content


def _in_kustomization(obj: ManifestObject, repo_root: Path, kustomization: str,
                      parts: list[str]) -> Location | None:
    path = repo_root / kustomization
    if not _inside(path, repo_root):
        return None
    text = _read(path)
    if text is None:
        return None
    docs = _compose(text)
    if not docs or not isinstance(docs[0], yaml.MappingNode):
        return None
    found = None
    for patch in _patches(docs[0], path.parent, repo_root, kustomization):
        line = _in_patch(obj, patch, parts)
        if line:
            found = Location(patch.file, line)  # a later patch overrides an earlier one
    return found


def _patches(root, directory: Path, repo_root: Path, kustomization: str):
    """Every patch a kustomization declares, with its text and where that text lives."""
    def entry(node, target, json6902, is_file):
        if not isinstance(node, yaml.ScalarNode):
            return None
        if is_file is None:  # patchesStrategicMerge: a file name or the patch itself
            is_file = "\n" not in node.value and not node.value.lstrip().startswith(("-", "{"))
        if is_file:
            return _file_patch(directory / node.value, repo_root, target, json6902)
        # A block scalar's text starts on the line after its indicator.
        offset = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
        return _Patch(node.value, kustomization, offset, target, json6902)

    for field, json6902 in (("patches", None), ("patchesStrategicMerge", False),
                            ("patchesJson6902", True)):
        pair = _mapping_get(root, field)
        if pair is None or not isinstance(pair[1], yaml.SequenceNode):
            continue
        for item in pair[1].value:
            patch = None
            if isinstance(item, yaml.ScalarNode):
                patch = entry(item, None, json6902, None)
            elif isinstance(item, yaml.MappingNode):
                target = _plain(_mapping_get(item, "target"))
                if _mapping_get(item, "path"):
                    patch = entry(_mapping_get(item, "path")[1], target, json6902, True)
                elif _mapping_get(item, "patch"):
                    patch = entry(_mapping_get(item, "patch")[1], target, json6902, False)
            if patch is not None:
                yield patch


def _plain(pair) -> dict | None:
    if pair is None:
        return None
    try:
        docs = load_documents(yaml.serialize(pair[1]))
    except YamlError:
        return None
    data = docs[0].data if docs else None
    return data if isinstance(data, dict) else None


def _inside(path: Path, repo_root: Path) -> bool:
    try:
        path.resolve().relative_to(repo_root.resolve())
        return True
    except ValueError:
        return False


def _file_patch(path: Path, repo_root: Path, target, json6902) -> _Patch | None:
    if not _inside(path, repo_root):
        return None
    text = _read(path)
    rel = path.resolve().relative_to(repo_root.resolve()).as_posix()
    return _Patch(text, rel, 0, target, json6902) if text is not None else None


def _matches_target(obj: ManifestObject, target: dict) -> bool:
    data = obj.data
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    group, _, version = str(data.get("apiVersion", "")).rpartition("/")
    # kustomize reads these as anchored regular expressions. A name may since have gained a
    # prefix or suffix, and a namespace been set, by an outer kustomization: names match anywhere,
    # namespaces are not compared.
    for key, actual, anywhere in (("group", group, False), ("version", version, False),
                                  ("kind", data.get("kind"), False),
                                  ("name", meta.get("name"), True)):
        wanted = target.get(key)
        if wanted is None:
            continue
        try:
            match = re.search if anywhere else re.fullmatch
            if not match(f"(?:{wanted})", str(actual or "")):
                return False
        except re.error:
            if str(wanted) != str(actual):
                return False
    selector = target.get("labelSelector")
    if isinstance(selector, str):
        labels = meta.get("labels") or {}
        for term in filter(None, (t.strip() for t in selector.split(","))):
            key, _, value = term.partition("=")
            if "=" in term and str(labels.get(key.strip())) != value.strip():
                return False
    return True


def _in_patch(obj: ManifestObject, patch: _Patch, parts: list[str]) -> int | None:
    if patch.target is not None and not _matches_target(obj, patch.target):
        return None
    for doc in _compose(patch.text):
        if isinstance(doc, yaml.SequenceNode) and patch.json6902 is not False:
            line = _in_operations(doc, parts)
        elif isinstance(doc, yaml.MappingNode) and patch.json6902 is not True:
            if patch.target is None and not _patch_names_object(doc, obj):
                continue
            line = _walk(doc, parts, obj.data)
        else:
            line = None
        if line:
            return patch.first_line + line
    return None


def _patch_names_object(doc, obj: ManifestObject) -> bool:
    kind = _scalar((_mapping_get(doc, "kind") or (None, None))[1])
    meta = _mapping_get(doc, "metadata")
    name = _scalar((_mapping_get(meta[1], "name") or (None, None))[1]) if meta else None
    rendered_name = str((obj.data.get("metadata") or {}).get("name", ""))
    return kind == obj.data.get("kind") and bool(name) and name in rendered_name


def _in_operations(doc, parts: list[str]) -> int | None:
    """The line in a JSON 6902 patch of the last operation that writes the field (or a parent)."""
    line = None
    for op in doc.value:
        path = _scalar((_mapping_get(op, "path") or (None, None))[1])
        kind = _scalar((_mapping_get(op, "op") or (None, None))[1])
        if path is None or kind not in ("add", "replace", "copy", "move"):
            continue
        op_parts = _parts(path)
        if len(op_parts) > len(parts) or not all(
                a == b or (a == "-" and b.isdigit()) for a, b in zip(op_parts, parts)):
            continue
        rest = parts[len(op_parts):]
        if not rest or kind in ("copy", "move"):  # the operation wrote the whole subtree
            line = op.start_mark.line + 1
            continue
        value = _mapping_get(op, "value")
        inner = _walk(value[1], rest, None) if value else None
        line = inner or line
    return line
