"""Promotion: make the target env's overlays run the source env's versions.

Only versions move: image tags and digests (`images:` in the overlay kustomization, and
`helmCharts[].valuesInline.image.{tag,digest}` for chart-based overlays), Helm chart versions
(`helmCharts[].version`) and the `app.kubernetes.io/version` label pair that states them.
Everything else in the target overlay (replicas, patches, namespaces, image names) is env-specific
and stays. Files are edited with a round-trip YAML parser, so comments, quoting and layout survive.

After writing, the target env's changed overlays are validated; on failure every file is restored
byte for byte. `--dry-run` applies the edits to a scratch copy only.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from marty_platform.context import Options
from marty_platform.diffing import gitref
from marty_platform.diffing.compare import diff_promotion
from marty_platform.diffing.model import DiffReport
from marty_platform.errors import UsageError
from marty_platform.model import Finding, Severity
from marty_platform.repo import Overlay, Repo, kustomization_file

ALLOWED = {("dev", "staging"), ("staging", "prod")}
VERSION_LABEL = "app.kubernetes.io/version"
IMAGE_VERSION_FIELDS = ("newTag", "digest")
CHART_IMAGE_VERSION_FIELDS = ("tag", "digest")
_COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", ".tools", ".cache", "__pycache__",
                                      ".pytest_cache", "*.egg-info", "node_modules", ".terraform")


@dataclass
class Edit:
    overlay: Overlay
    path: Path
    original: bytes
    updated: bytes
    notes: list[str] = field(default_factory=list)


@dataclass
class Promotion:
    source: str
    target: str
    apps: list[str]
    edits: list[Edit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    report: DiffReport | None = None
    failures: list[Finding] = field(default_factory=list)
    branch: str = ""

    @property
    def title(self) -> str:
        apps = ", ".join(self.apps) if len(self.apps) <= 4 else f"{len(self.apps)} apps"
        return f"Promote {apps} from {self.source} to {self.target}"


def check_pair(source: str, target: str) -> None:
    if (source, target) not in ALLOWED:
        allowed = ", ".join(f"{a} → {b}" for a, b in sorted(ALLOWED))
        raise UsageError(f"cannot promote {source} → {target}; allowed: {allowed}"
                         + (" (prod accepts only from staging)" if target == "prod" else ""))


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    match = re.search(r"^( *)- ", text, re.MULTILINE)
    offset = len(match.group(1)) if match else 0
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


def _load(path: Path):
    text = path.read_text(encoding="utf-8")
    yaml = _yaml(text)
    return yaml, yaml.load(text) or {}


def _dump(yaml: YAML, data) -> bytes:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue().encode("utf-8")


def _version_labels(data) -> list:
    """The mappings in which the version label lives: labels[].pairs and commonLabels."""
    found = [entry["pairs"] for entry in data.get("labels") or []
             if isinstance(entry, dict) and isinstance(entry.get("pairs"), dict)
             and VERSION_LABEL in entry["pairs"]]
    if isinstance(data.get("commonLabels"), dict) and VERSION_LABEL in data["commonLabels"]:
        found.append(data["commonLabels"])
    return found


def _promote_inline_image(chart, match) -> list[str]:
    """`valuesInline.image.{tag,digest}` of a chart: the image version a chart-based overlay runs."""
    source = (match.get("valuesInline") or {}).get("image")
    if not isinstance(source, dict):
        return []
    if not isinstance(chart.get("valuesInline"), dict):
        chart["valuesInline"] = {}
    if not isinstance(chart["valuesInline"].get("image"), dict):
        chart["valuesInline"]["image"] = {}
    release = chart.get("releaseName") or chart.get("name")
    return _copy_fields(source, chart["valuesInline"]["image"], CHART_IMAGE_VERSION_FIELDS,
                        f"{release}: image.", "")


def _copy_fields(source: dict, target: dict, keys, label: str, removed_note: str) -> list[str]:
    """Make `target` carry `source`'s value for each key (or none); one note per change."""
    notes = []
    for key in keys:
        if key in source and target.get(key) != source[key]:
            notes.append(f"{label}{key} {target.get(key, '(unset)')} → {source[key]}")
            target[key] = source[key]
        elif key not in source and key in target:
            notes.append(f"{label}{key} {target[key]} removed{removed_note}")
            del target[key]
    return notes


def plan_app(source: Overlay, target: Overlay) -> Edit | None:
    source_file, target_file = kustomization_file(source.path), kustomization_file(target.path)
    _, src = _load(source_file)
    yaml, dst = _load(target_file)
    original = target_file.read_bytes()
    notes: list[str] = []

    src_images = {str(i.get("name")): i for i in src.get("images") or [] if isinstance(i, dict)}
    if src_images:
        if dst.get("images") is None:
            dst["images"] = []
        dst_images = {str(i.get("name")): i for i in dst["images"] if isinstance(i, dict)}
        for name, image in src_images.items():
            entry = dst_images.get(name)
            if entry is None:
                entry = {"name": name}
                dst["images"].append(entry)
            notes += _copy_fields(image, entry, IMAGE_VERSION_FIELDS, f"{name}: ",
                                  f" ({source.env} has none)")
        for name in dst_images.keys() - src_images.keys():
            notes.append(f"{name}: pinned in {target.env} only; left unchanged")

    src_charts = {(str(c.get("name")), str(c.get("releaseName") or c.get("name"))): c
                  for c in src.get("helmCharts") or [] if isinstance(c, dict)}
    for chart in dst.get("helmCharts") or []:
        if not isinstance(chart, dict):
            continue
        match = src_charts.get((str(chart.get("name")),
                                str(chart.get("releaseName") or chart.get("name"))))
        if match is None:
            continue
        if "version" in match and chart.get("version") != match["version"]:
            notes.append(f"chart {chart.get('name')}: {chart.get('version', '(unset)')} → "
                         f"{match['version']}")
            chart["version"] = match["version"]
        notes += _promote_inline_image(chart, match)

    source_labels = _version_labels(src)
    if source_labels:
        for pairs in _version_labels(dst):
            if pairs[VERSION_LABEL] != source_labels[0][VERSION_LABEL]:
                pairs[VERSION_LABEL] = source_labels[0][VERSION_LABEL]

    updated = _dump(yaml, dst)
    if updated == original:
        return None
    return Edit(target, target_file, original, updated, notes)


def plan(repo: Repo, source: str, target: str, apps: list[str]) -> Promotion:
    check_pair(source, target)
    source_overlays = {o.app: o for o in repo.overlays([source])}
    target_overlays = {o.app: o for o in repo.overlays([target])}
    for app in apps:
        if app not in source_overlays or app not in target_overlays:
            where = source if app not in source_overlays else target
            raise UsageError(f"app {app!r} has no overlay in {where} (overlays/{where}/{app})")
    chosen = apps or sorted(source_overlays.keys() & target_overlays.keys())
    promotion = Promotion(source, target, list(chosen))
    for app in chosen:
        edit = plan_app(source_overlays[app], target_overlays[app])
        if edit is None:
            promotion.skipped.append(app)
        else:
            promotion.edits.append(edit)
    return promotion


def _scratch_copy(repo: Repo, edits: list[Edit]) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="marty-promote-")) / "tree"
    shutil.copytree(repo.root, scratch, ignore=_COPY_IGNORE, symlinks=True)
    for edit in edits:
        (scratch / edit.path.relative_to(repo.root)).write_bytes(edit.updated)
    return scratch


def promote(repo: Repo, source: str, target: str, apps: list[str], *, dry_run: bool = False,
            commit: bool = False, today: dt.date | None = None) -> Promotion:
    promotion = plan(repo, source, target, apps)
    if not promotion.edits:
        return promotion
    scratch = _scratch_copy(repo, promotion.edits)
    try:
        changed_apps = [e.overlay.app for e in promotion.edits]
        promotion.report = diff_promotion(repo, target, repo, Repo(scratch), changed_apps)
        promotion.report.title = promotion.title
    finally:
        shutil.rmtree(scratch.parent, ignore_errors=True)
    if dry_run:
        return promotion
    if commit:
        _check_committable(repo, promotion)
    for edit in promotion.edits:
        edit.path.write_bytes(edit.updated)
    try:
        promotion.failures = _validate(repo, target, promotion.edits)
    except BaseException:
        _restore(promotion.edits)
        raise
    if promotion.failures:
        _restore(promotion.edits)
        return promotion
    if commit:
        promotion.branch = _commit(repo, promotion, today or dt.date.today())
    return promotion


def _validate(repo: Repo, target: str, edits: list[Edit]) -> list[Finding]:
    from marty_platform.engine import run_validation

    options = Options(paths=tuple(e.overlay.path for e in edits), envs=(target,))
    report = run_validation(repo, options)
    return [f for f in report.findings if f.severity is Severity.ERROR]


def _restore(edits: list[Edit]) -> None:
    for edit in edits:
        edit.path.write_bytes(edit.original)


def _check_committable(repo: Repo, promotion: Promotion) -> None:
    top = gitref.toplevel(repo.root)
    files = [str(e.path.relative_to(top)) for e in promotion.edits]
    dirty = gitref.git(top, "status", "--porcelain", "--", *files).strip()
    if dirty:
        raise UsageError(f"--commit: uncommitted changes in {', '.join(files)}; commit or "
                         "revert them first")


def _commit(repo: Repo, promotion: Promotion, today: dt.date) -> str:
    from marty_platform.diffing import report_markdown

    top = gitref.toplevel(repo.root)
    base = f"promote/{promotion.source}-to-{promotion.target}-{today.isoformat()}"
    branch, counter = base, 1
    while gitref.git(top, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}",
                     check=False).strip():
        counter += 1
        branch = f"{base}-{counter}"
    files = [str(e.path.relative_to(top)) for e in promotion.edits]
    gitref.git(top, "switch", "--quiet", "-c", branch)
    gitref.git(top, "add", "--", *files)
    body = report_markdown.render(promotion.report) if promotion.report else ""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as msg:
        msg.write(f"{promotion.title}\n\n{body}")
    try:
        gitref.git(top, "commit", "--quiet", "--no-verify", "-F", msg.name, "--", *files)
    finally:
        Path(msg.name).unlink(missing_ok=True)
    return branch
