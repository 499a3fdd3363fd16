"""Already-rendered manifests: loading them from files, and staging them for the tools."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from marty_platform.model import Finding, ManifestObject, finding
from marty_platform.yamlio import YamlError, load_file

CHECK = "yaml"


def load_manifest_file(path: Path, display: str, env: str) -> tuple[list[ManifestObject],
                                                                      list[Finding]]:
    try:
        docs = load_file(path)
    except OSError as exc:
        return [], [finding(CHECK, "unreadable", f"cannot read file: {exc.strerror}",
                            file=display, env=env)]
    except YamlError as exc:
        return [], [finding(CHECK, exc.rule, exc.message, file=display, line=exc.line, env=env)]
    objects, findings = [], []
    for doc in docs:
        if doc.data is None:
            continue
        if isinstance(doc.data, dict) and doc.data.get("kind") == "List" and isinstance(
                doc.data.get("items"), list):
            items = doc.data["items"]
        else:
            items = [doc.data]
        for item in items:
            if not isinstance(item, dict) or not item.get("kind") or not item.get("apiVersion"):
                findings.append(finding(CHECK, "not-a-resource",
                                        "document is not a Kubernetes object (needs apiVersion "
                                        "and kind)", file=display, line=doc.line, env=env))
                continue
            objects.append(ManifestObject(env=env, source=display, file=display, line=doc.line,
                                          data=item))
    return objects, findings


@dataclass
class StagedBatch:
    """One env's objects written one per file, so tool output maps back to exact objects.

    `objects` are the ones being validated; `context` objects only inform cross-object rules
    and are never reported on. Validated objects sort before context ones, so a combined rule
    that names one representative path (the smallest, say) names a validated object if it can.
    """

    env: str
    directory: Path
    objects: list[ManifestObject]
    paths: list[Path]
    context: list[ManifestObject]
    context_paths: list[Path]

    @classmethod
    def write(cls, env: str, directory: Path, objects: list[ManifestObject],
              context: list[ManifestObject] = ()) -> "StagedBatch":
        paths = _write_all(directory / "0-validated", objects)
        context_paths = _write_all(directory / "1-context", list(context))
        return cls(env, directory / "0-validated", objects, paths, list(context), context_paths)

    def object_for(self, filename: str) -> ManifestObject | None:
        """The validated object staged at `filename`; None for context or unknown files."""
        path = Path(filename)
        if path.parent != self.directory:
            return None
        try:
            return self.objects[int(path.stem)]
        except (ValueError, IndexError):
            return None


def _write_all(directory: Path, objects: list[ManifestObject]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, obj in enumerate(objects):
        path = directory / f"{index:06d}.json"
        path.write_text(json.dumps(obj.data), encoding="utf-8")
        paths.append(path)
    return paths
