"""The dependency graph of kustomizations, read without running anything.

It gives each overlay the exact set of files it is built from: the render cache keys on it, diffs use
it to find the overlays a change affects, and it turns the failures kustomize would report in
passing (a missing file, a cycle, a remote base, a path escaping the repo) into located findings
before any tool runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.model import Finding, finding
from marty_platform.repo import Repo, kustomization_file
from marty_platform.yamlio import YamlError, load_file, load_one

CHECK = "kustomize"
_REMOTE_PREFIXES = ("http://", "https://", "git@", "git::", "ssh://", "github.com/",
                    "gitlab.com/", "bitbucket.org/", "oci://")


def is_remote(entry: str) -> bool:
    return entry.startswith(_REMOTE_PREFIXES) or "://" in entry


@dataclass
class Node:
    directory: Path
    file: Path | None
    files: set[Path] = field(default_factory=set)  # files this kustomization reads itself
    children: list[tuple[Path, str]] = field(default_factory=list)  # (dir, entry as written)
    findings: list[Finding] = field(default_factory=list)


def _line_of(file: Path, needle: str) -> int | None:
    try:
        for number, text in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if needle in text:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _generator_paths(generator: dict) -> list[str]:
    paths = []
    for entry in _as_list(generator.get("files")):
        if isinstance(entry, str):
            paths.append(entry.split("=", 1)[1] if "=" in entry else entry)
    paths += [e for e in _as_list(generator.get("envs")) if isinstance(e, str)]
    if isinstance(generator.get("env"), str):
        paths.append(generator["env"])
    return paths


def yaml_problems(path: Path, repo: Repo) -> list[Finding]:
    """Strict-YAML findings for a file kustomize will read (kustomize itself is lenient)."""
    if path.suffix not in (".yaml", ".yml"):
        return []
    try:
        load_file(path)
    except YamlError as exc:
        return [finding("yaml", exc.rule, exc.message, file=repo.rel(path), line=exc.line)]
    except OSError as exc:
        return [finding("yaml", "unreadable", f"cannot read file: {exc.strerror}",
                        file=repo.rel(path))]
    return []


class KustomizeGraph:
    def __init__(self, repo: Repo):
        self.repo = repo
        self._nodes: dict[Path, Node] = {}

    def node(self, directory: Path) -> Node:
        directory = directory.resolve()
        if directory not in self._nodes:
            self._nodes[directory] = self._parse(directory)
        return self._nodes[directory]

    # --- parsing one kustomization -------------------------------------------------------
    def _parse(self, directory: Path) -> Node:
        file = kustomization_file(directory)
        node = Node(directory, file)
        if file is None:
            return node
        node.files.add(file)
        rel = self.repo.rel(file)
        try:
            data = load_one(file) or {}
        except YamlError as exc:
            node.findings.append(finding(CHECK, exc.rule, exc.message, file=rel, line=exc.line))
            return node
        if not isinstance(data, dict):
            node.findings.append(finding(CHECK, "syntax", "a kustomization must be a mapping",
                                         file=rel, line=1))
            return node

        def problem(rule: str, entry: str, message: str) -> None:
            node.findings.append(finding(CHECK, rule, message, file=rel,
                                         line=_line_of(file, entry)))

        def reference(entry, *, directory_ok: bool, file_ok: bool, field_name: str) -> None:
            if not isinstance(entry, str) or not entry.strip():
                return
            if "\n" in entry:  # an inline patch, not a path
                return
            if is_remote(entry):
                problem("remote-reference", entry, f"{field_name} entry {entry!r} is remote; "
                        "validation is offline and renders only what is in the repo")
                return
            target = (directory / entry)
            if not self.repo.is_inside(target):
                problem("outside-repo", entry,
                        f"{field_name} entry {entry!r} resolves outside the repository")
                return
            if target.is_dir():
                if not directory_ok:
                    problem("not-a-file", entry, f"{field_name} entry {entry!r} is a directory")
                elif kustomization_file(target) is None:
                    problem("missing-kustomization", entry,
                            f"{field_name} entry {entry!r} is a directory without a "
                            "kustomization.yaml")
                else:
                    node.children.append((target.resolve(), entry))
            elif target.is_file():
                if not file_ok:
                    problem("not-a-directory", entry,
                            f"{field_name} entry {entry!r} must be a directory")
                else:
                    node.files.add(target.resolve())
                    node.findings.extend(yaml_problems(target, self.repo))
            else:
                problem("missing-file", entry,
                        f"{field_name} entry {entry!r} does not exist "
                        f"(looked for {self.repo.rel(target)})")

        for entry in _as_list(data.get("resources")) + _as_list(data.get("bases")):
            reference(entry, directory_ok=True, file_ok=True, field_name="resources")
        for entry in _as_list(data.get("components")):
            reference(entry, directory_ok=True, file_ok=False, field_name="components")
        for key in ("patches", "patchesJson6902", "replacements"):
            for patch in _as_list(data.get(key)):
                if isinstance(patch, dict):
                    reference(patch.get("path"), directory_ok=False, file_ok=True,
                              field_name=key)
        for entry in _as_list(data.get("patchesStrategicMerge")):
            reference(entry, directory_ok=False, file_ok=True, field_name="patchesStrategicMerge")
        for key in ("crds", "configurations", "transformers", "generators", "validators"):
            for entry in _as_list(data.get(key)):
                reference(entry, directory_ok=True, file_ok=True, field_name=key)
        if isinstance(data.get("openapi"), dict):
            reference(data["openapi"].get("path"), directory_ok=False, file_ok=True,
                      field_name="openapi")
        for key in ("configMapGenerator", "secretGenerator"):
            for generator in _as_list(data.get(key)):
                if isinstance(generator, dict):
                    for entry in _generator_paths(generator):
                        reference(entry, directory_ok=False, file_ok=True, field_name=key)
        self._parse_helm(data, directory, node, problem, reference)
        return node

    def _parse_helm(self, data, directory, node, problem, reference) -> None:
        charts = [c for c in _as_list(data.get("helmCharts")) if isinstance(c, dict)]
        if not charts:
            return
        globals_ = data.get("helmGlobals") if isinstance(data.get("helmGlobals"), dict) else {}
        chart_home = directory / str(globals_.get("chartHome") or "charts")
        for chart in charts:
            name = str(chart.get("name") or "")
            if chart.get("repo"):
                problem("remote-reference", str(chart["repo"]),
                        f"helm chart {name!r} comes from repository {chart['repo']!r}; "
                        "charts must be in the repo (charts/) so rendering stays offline")
                continue
            chart_dir = chart_home / name
            if not self.repo.is_inside(chart_dir):
                problem("outside-repo", name, f"helm chart {name!r} resolves outside the repo")
            elif not (chart_dir / "Chart.yaml").is_file():
                problem("missing-file", name, f"helm chart {name!r} not found "
                        f"(looked for {self.repo.rel(chart_dir)}/Chart.yaml)")
            else:
                node.files.update(p.resolve() for p in chart_dir.rglob("*") if p.is_file())
            for values in [chart.get("valuesFile"), *_as_list(chart.get("additionalValuesFiles"))]:
                reference(values, directory_ok=False, file_ok=True, field_name="helmCharts")

    # --- the closure of an overlay ---------------------------------------------------------
    def closure(self, directory: Path) -> tuple[set[Path], list[Finding]]:
        """Every file the kustomization in `directory` depends on, and every problem on the way."""
        files: set[Path] = set()
        findings: list[Finding] = []
        done: set[Path] = set()

        def visit(current: Path, stack: list[Path]) -> None:
            node = self.node(current)
            files.update(node.files)
            findings.extend(node.findings)
            done.add(current)
            for child, entry in node.children:
                if child in stack or child == current:
                    cycle = " -> ".join(self.repo.rel(p) for p in [*stack, current, child])
                    findings.append(finding(CHECK, "cycle", f"kustomization cycle: {cycle}",
                                            file=self.repo.rel(node.file) if node.file else "",
                                            line=_line_of(node.file, entry) if node.file else None))
                elif child not in done:
                    visit(child, [*stack, current])

        visit(directory.resolve(), [])
        return files, sorted(set(findings))

    def dependents(self, overlays: list[Path], changed: set[Path]) -> list[Path]:
        """The overlays whose closure includes any of the changed files."""
        changed = {p.resolve() for p in changed}
        result = []
        for overlay in overlays:
            files, _ = self.closure(overlay)
            if files & changed:
                result.append(overlay)
        return result
