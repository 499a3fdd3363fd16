"""Which values file set a chart value that broke the chart's values.schema.json.

kustomize (through helm) reports such a violation as a failed build of the overlay, with the
JSON pointer of the value. The value itself usually comes from a file the overlay shares with
every other overlay of its env (base/profiles/<env>.yaml), so the finding belongs there, at the
field's line: the file that wins for that value, in helm's order (the chart's values.yaml or the
entry's valuesFile, then each additionalValuesFiles in turn, then valuesInline).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from marty_platform.repo import Repo, kustomization_file
from marty_platform.yamlio import YamlError, load_file, load_one, locate_pointer

_SCHEMA_FAILURE = re.compile(r"values don't meet the specifications of the schema\(s\) in the "
                             r"following chart\(s\):\s*(?P<chart>[\w.-]+):(?P<rest>.*)", re.S)
_VIOLATION = re.compile(r"- at '(?P<pointer>[^']*)': (?P<text>.*?)(?=\s+- at '|$)", re.S)


@dataclass(frozen=True)
class ValueOrigin:
    file: Path
    line: int | None
    message: str


def _walk(data: object, pointer: str) -> bool:
    """Whether `pointer` names a value that exists in `data`."""
    for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False
    return True


def _chart_entry(overlay: Path, chart: str) -> tuple[Path, int, dict, dict] | None:
    """The kustomization file, its data, and the index and entry of its helmCharts entry for
    `chart`."""
    file = kustomization_file(overlay)
    try:
        data = load_one(file) if file else None
    except (OSError, YamlError):
        return None
    charts = data.get("helmCharts") if isinstance(data, dict) else None
    for index, entry in enumerate(charts if isinstance(charts, list) else []):
        if isinstance(entry, dict) and entry.get("name") == chart:
            return file, data, index, entry
    return None


def _sources(overlay: Path, file: Path, data: dict, index: int, entry: dict):
    """(values file, pointer prefix) of every values source, highest precedence first."""
    yield file, f"/helmCharts/{index}/valuesInline"
    extra = entry.get("additionalValuesFiles")
    for name in reversed(extra if isinstance(extra, list) else []):
        yield overlay / str(name), ""
    if entry.get("valuesFile"):
        yield overlay / str(entry["valuesFile"]), ""
    else:
        globals_ = data.get("helmGlobals") if isinstance(data.get("helmGlobals"), dict) else {}
        home = overlay / str(globals_.get("chartHome") or "charts")
        yield home / str(entry.get("name")) / "values.yaml", ""


def locate(repo: Repo, overlay: Path, message: str) -> list[ValueOrigin]:
    """Each violation in a failed build's message, at the values file and line that set it;
    [] when the message is not about a chart's values schema or the value cannot be traced."""
    failure = _SCHEMA_FAILURE.search(message)
    if not failure:
        return []
    chart = _chart_entry(overlay, failure.group("chart"))
    if chart is None:
        return []
    file, data, index, entry = chart
    origins = []
    for violation in _VIOLATION.finditer(failure.group("rest")):
        pointer, text = violation.group("pointer"), violation.group("text").strip()
        unknown = re.match(r"additional properties '([^']+)'", text)
        field = f"{pointer.rstrip('/')}/{unknown.group(1)}" if unknown else pointer
        for source, prefix in _sources(overlay, file, data, index, entry):
            source = source.resolve()
            if not repo.is_inside(source) or not source.is_file():
                continue
            try:
                docs = load_file(source)
            except (OSError, YamlError):
                continue
            if not docs or not _walk(docs[0].data, prefix + field):
                continue
            origins.append(ValueOrigin(source, locate_pointer(source, docs[0].line,
                                                              prefix + field),
                                       f"chart {failure.group('chart')} values: "
                                       f"{pointer or '/'}: {text}"))
            break
        else:
            return []  # one violation cannot be traced: keep the build failure as it was
    return origins
