"""Renders overlays with `kustomize build`: the one rendering every command shares.

Helm charts are inflated by kustomize's built-in helmCharts generator (`--enable-helm`), the same
path Argo CD takes with `kustomize.buildOptions`. kustomize runs with `--load-restrictor
LoadRestrictionsNone` because charts and values live in charts/ and base/, outside each overlay's
root; the kustomize graph holds every path any field names to the repo (nothing under .git/, no
symlink out) before kustomize runs. kustomize, like every pinned tool, runs in a network
namespace of its own where the machine allows it (tools/runner.py), with the sealed tool
environment; exec and KRM function plugins stay disabled (no --enable-alpha-plugins /
--enable-exec), and the graph refuses their configs anyway.

Each overlay is built through a throw-away wrapper kustomization that adds
`buildMetadata: [originAnnotations, transformerAnnotations]`, so every object says which file
defined it and which kustomizations patched it (kustomize records the kustomization of a patch, not
the patch file: patch_locations.py finds the patch); the annotations are removed again before
anything else sees the object. Results are cached under a hash of every input file and every
pinned tool version.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from marty_platform import values_origin
from marty_platform.kustomize_graph import KustomizeGraph
from marty_platform.model import Finding, ManifestObject, finding
from marty_platform.repo import Overlay, Repo
from marty_platform.result_cache import read_entry, write_entry
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import ToolBox, bounded, clean_output, run
from marty_platform.yamlio import RULES as YAML_RULES
from marty_platform.yamlio import YamlError, load_documents, load_file

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
TRANSFORMATIONS_ANNOTATION = "alpha.config.kubernetes.io/transformations"
PATCH_TRANSFORMERS = {"PatchTransformer", "PatchStrategicMergeTransformer",
                      "PatchJson6902Transformer"}
# Part of every cache key: bump it when what a cached render records, or the way rendered output
# is read, changes (2: patch transformations kept; 3: YAML read as Kubernetes reads it, see
# yamlio), so no entry made the old way is reused.
RENDER_FORMAT = "3"
CACHE_MAX_AGE_DAYS = 14
CHECK = "kustomize"
RULES = declare(
    CHECK, "Kustomize overlays: the kustomization graph (every path inside the repo) and the "
    "render (`kustomize build --enable-helm`).",
    *YAML_RULES,
    Rule("unreadable", "a kustomization cannot be read"),
    Rule("build-failed", "`kustomize build` fails"),
    Rule("values-schema", "helm values break the chart's values.schema.json"),
    Rule("cycle", "kustomizations include each other"),
    Rule("outside-repo", "a path leads outside the repository or into .git/"),
    Rule("symlink-outside-repo", "a path leads through a symlink outside the repository"),
    Rule("remote-reference", "a remote base, chart repository or helm config home"),
    Rule("absolute-path", "an absolute path"),
    Rule("not-a-file", "a path that must be a file is a directory"),
    Rule("not-a-directory", "a path that must be a directory is a file"),
    Rule("missing-kustomization", "a directory without a kustomization"),
    Rule("missing-file", "a path that does not exist"),
    Rule("unknown-field", "a field kustomize does not know (it would be ignored)"),
    Rule("invalid-entry", "an entry of the wrong shape"),
    Rule("invalid-chart-name", "a helm chart name that is not a plain directory name"),
    Rule("legacy-helm", "the legacy helmChartInflationGenerator"),
    Rule("plugin", "a KRM function or a kind that is not a built-in generator or transformer "
         "(validation executes no code)"),
    Rule("invalid-schema", "a chart's values.schema.json is not a valid JSON schema document"),
    Rule("schema-reference", "a chart's values schema refers to a remote or outside schema"),
    module=__name__)


@dataclass
class Rendered:
    overlay: Overlay
    objects: list[ManifestObject] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    cached: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings


@lru_cache(maxsize=4096)
def _document_lines(path: Path, mtime_ns: int) -> tuple[tuple[str, str, int], ...]:
    """(kind, name, line) of each document in a source file, for locating findings."""
    try:
        docs = load_file(path)
    except (OSError, YamlError):
        return ()
    result = []
    for doc in docs:
        if isinstance(doc.data, dict):
            meta = doc.data.get("metadata") if isinstance(doc.data.get("metadata"), dict) else {}
            result.append((str(doc.data.get("kind")), str(meta.get("name")), doc.line))
    return tuple(result)


def locate(path: Path, kind: str, name: str) -> int | None:
    try:
        entries = _document_lines(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    exact = [line for k, n, line in entries if k == kind and n == name]
    if exact:
        return exact[0]
    by_kind = [line for k, _, line in entries if k == kind]
    if len(by_kind) == 1:
        return by_kind[0]
    return 1 if len(entries) == 1 else None


def _stored_entries(path: Path) -> list[dict] | None:
    """A cached render, or None (render again) when it is missing, damaged or not of the shape
    `Renderer._entries` writes."""
    entries = read_entry(path)
    if not isinstance(entries, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("data"), dict)
            and isinstance(entry.get("file"), (str, type(None)))
            and isinstance(entry.get("line"), (int, type(None)))
            and isinstance(entry.get("patched_in", []), list) for entry in entries):
        return None
    try:
        os.utime(path)  # recently used: kept by prune()
    except OSError:
        pass
    return entries


class Renderer:
    def __init__(self, repo: Repo, toolbox: ToolBox, cache_dir: Path, fingerprint: str):
        self.repo = repo
        self.toolbox = toolbox
        self.cache_dir = cache_dir / "render"
        self.fingerprint = fingerprint
        self.graph = KustomizeGraph(repo)
        # Each file's repo-relative name and digest, found once per run: the overlays of a repo
        # share bases and charts.
        self._named_digests: dict[Path, bytes] = {}

    def cache_key(self, overlay: Overlay, files: set[Path]) -> str:
        digest = hashlib.sha256(f"{RENDER_FORMAT}:{self.fingerprint}".encode())
        digest.update(overlay.relative(self.repo.root).encode())
        for path in sorted(files):
            digest.update(self._named_digest(path))
        return digest.hexdigest()

    def _named_digest(self, path: Path) -> bytes:
        known = self._named_digests.get(path)
        if known is None:
            known = self._named_digests[path] = self.repo.rel(path).encode() + \
                hashlib.sha256(path.read_bytes()).digest()
        return known

    def is_cached(self, overlay: Overlay) -> bool:
        """Whether `render` will find the overlay's objects in the cache (or a problem found
        before any tool runs), without reading the entry."""
        files, problems = self.graph.closure(overlay.path)
        return bool(problems) or (self.cache_dir / f"{self.cache_key(overlay, files)}.json").is_file()

    def render(self, overlay: Overlay) -> Rendered:
        result = Rendered(overlay)
        files, problems = self.graph.closure(overlay.path)
        if problems:
            result.findings = [_with_env(f, overlay.env) for f in problems]
            return result
        key = self.cache_key(overlay, files)
        cached = self.cache_dir / f"{key}.json"
        entries = _stored_entries(cached)
        if entries is not None:
            result.cached = True
        else:
            text = self._build(overlay, result)
            if text is None:
                return result
            # Cached with repo-relative origins, so another checkout of the same content (a
            # worktree of another ref, a copy) reuses it.
            try:
                entries = self._entries(text)
            except YamlError as exc:  # a chart rendered what Kubernetes cannot read
                result.findings.append(finding(
                    CHECK, exc.rule, f"rendered output, line {exc.line}: {exc.message}",
                    env=overlay.env, file=self.repo.rel(overlay.path / "kustomization.yaml")))
                return result
            write_entry(cached, entries)
        source = overlay.relative(self.repo.root)
        result.objects = [ManifestObject(env=overlay.env, source=source,
                                         file=entry["file"] or source, line=entry["line"],
                                         data=entry["data"],
                                         patched_in=tuple(entry.get("patched_in", ())))
                          for entry in entries]
        return result

    def prune(self, max_age_days: int = CACHE_MAX_AGE_DAYS) -> None:
        """Forget renders no run has used for a while, so the cache does not grow forever."""
        cutoff = time.time() - max_age_days * 86400
        for entry in self.cache_dir.glob("*.json") if self.cache_dir.is_dir() else ():
            try:
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
            except OSError:
                pass  # another run pruned or replaced it

    def _build(self, overlay: Overlay, result: Rendered) -> str | None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        wrapper = Path(tempfile.mkdtemp(prefix="wrap-", dir=self.cache_dir))
        try:
            (wrapper / "kustomization.yaml").write_text(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                f"resources:\n  - {os.path.relpath(overlay.path, wrapper)}\n"
                "buildMetadata: [originAnnotations, transformerAnnotations]\n",
                encoding="utf-8")
            command = self.toolbox.command(
                "kustomize", "build", "--enable-helm",
                "--helm-command", self.toolbox.path("helm"),
                "--load-restrictor", "LoadRestrictionsNone", str(wrapper), problem_codes=(1,),
                subject=overlay.relative(self.repo.root))
            completed = run(command)
        finally:
            shutil.rmtree(wrapper, ignore_errors=True)
        if completed.ok:
            return completed.stdout
        completed.rejection("Error:")
        message = self._explain(completed.stderr)
        # A chart value against the chart's schema: at the values file that set it, which
        # every overlay sharing it reports identically (so it is reported once).
        origins = values_origin.locate(self.repo, overlay.path, message)
        result.findings += [finding(CHECK, "values-schema", origin.message, env=overlay.env,
                                    file=self.repo.rel(origin.file), line=origin.line)
                            for origin in origins]
        if not origins:
            result.findings.append(finding(
                CHECK, "build-failed", message, env=overlay.env,
                file=self.repo.rel(overlay.path / "kustomization.yaml")))
        return None

    def _explain(self, stderr: str) -> str:
        message = " ".join(clean_output(stderr, self.repo.root, limit=None).splitlines())
        message = re.sub(r"^Error: ", "", message)
        # kustomize wraps the root cause in layers of "accumulating resources" context, and a
        # failing helm in its command line and environment: keep the cause.
        if "Error: " in message:
            message = message.rsplit("Error: ", 1)[1]
        message = message.split(" : unable to run: ", 1)[0]
        message = re.sub(r"^.*recursed accumulation of path '[^']*': ", "", message)
        return f"kustomize build failed: {bounded(message)}" if message else "kustomize build failed"

    def _entries(self, text: str) -> list[dict]:
        """Each rendered object with the repo-relative file (and line) that defines it."""
        entries = []
        wrapper_base = self.cache_dir / "wrap-x"  # origins are relative to the wrapper directory
        for data in [d.data for d in load_documents(text) if isinstance(d.data, dict)]:
            patched_in = self._patched_in(data, wrapper_base)
            source_file, line = self._origin(data, wrapper_base)
            entries.append({"file": source_file, "line": line, "data": data,
                            "patched_in": patched_in})
        return entries

    def _patched_in(self, data: dict, wrapper_base: Path) -> list[str]:
        """The kustomizations whose patches changed the object, in the order they ran."""
        annotations = (data.get("metadata") or {}).get("annotations") or {}
        text = annotations.pop(TRANSFORMATIONS_ANNOTATION, None)
        try:
            steps = load_documents(text)[0].data if text else []
        except (YamlError, IndexError):
            return []
        found = []
        for step in steps if isinstance(steps, list) else []:
            kind = ((step or {}).get("configuredBy") or {}).get("kind")
            where = (step or {}).get("configuredIn")
            if kind in PATCH_TRANSFORMERS and where:
                rel = self.repo.rel((wrapper_base / where).resolve())
                if rel not in found:
                    found.append(rel)
        return found

    def _origin(self, data: dict, wrapper_base: Path) -> tuple[str | None, int | None]:
        meta = data.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        origin_text = annotations.pop(ORIGIN_ANNOTATION, None)
        if not annotations and "annotations" in meta:
            del meta["annotations"]
        if not origin_text:
            return None, None
        try:
            docs = load_documents(origin_text)
            origin = (docs[0].data if docs else None) or {}
        except YamlError:
            return None, None
        relative = origin.get("path") or origin.get("configuredIn")
        if not relative:
            return None, None
        path = (wrapper_base / relative).resolve()
        if origin.get("path"):
            return self.repo.rel(path), locate(path, str(data.get("kind")), str(meta.get("name")))
        return self.repo.rel(path), None


def _with_env(item: Finding, env: str) -> Finding:
    return replace(item, env=env)
