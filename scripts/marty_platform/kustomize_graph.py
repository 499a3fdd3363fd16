"""The dependency graph of kustomizations, read without running anything.

It gives each overlay the exact set of files it is built from: the render cache keys on it, diffs use
it to find the overlays a change affects, and it turns the failures kustomize would report in
passing (a missing file, a cycle, a remote base, a path escaping the repo) into located findings
before any tool runs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform import kustomize_fields
from marty_platform.chart_inputs import ChartInputs, chart_inputs
from marty_platform.kustomize_fields import Role
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
        # Each chart's inputs, walked once: every service's base may inflate the same chart.
        self._charts: dict[Path, ChartInputs] = {}

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
        if not self.repo.is_inside(file):
            node.findings.append(self._escape_finding(file, file, "kustomization"))
            return node
        node.files.add(file.resolve())
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
        classified = kustomize_fields.kustomization(data)
        for config in classified.inline_configs:
            classified.extend(kustomize_fields.plugin_config(config))
        self._apply(node, file, classified)
        return node

    def _apply(self, node: Node, written_in: Path, classified: kustomize_fields.Classified) -> None:
        """Hold everything `classified` names to the rules; `written_in` is where it is written.
        Paths are relative to the kustomization's directory wherever they are written: kustomize
        loads a generator config's files through the kustomization that lists it."""
        rel = self.repo.rel(written_in)
        for refusal in classified.refusals:
            node.findings.append(finding(CHECK, refusal.rule, refusal.message, file=rel,
                                         line=_line_of(written_in, refusal.needle)))
        for reference in classified.references:
            self._reference(node, written_in, reference)
        for chart in classified.charts:
            self._chart(node, written_in, chart)

    def _problem(self, node: Node, written_in: Path, rule: str, needle: str, message: str) -> None:
        node.findings.append(finding(CHECK, rule, message, file=self.repo.rel(written_in),
                                     line=_line_of(written_in, needle)))

    def _escape_finding(self, target: Path, written_in: Path, what: str,
                        needle: str = "") -> Finding:
        root, git_dir = self.repo.root, self.repo.root / ".git"
        normal = Path(os.path.normpath(target))
        resolved = target.resolve()
        symlinked = resolved != normal and (normal == root or root in normal.parents)
        rule, how = ("symlink-outside-repo", "through a symlink ") if symlinked else \
            ("outside-repo", "")
        if resolved == git_dir or git_dir in resolved.parents:
            where = "into .git/, which is never an input"
        else:
            where = "outside the repository"
        return finding(CHECK, rule, f"{what} leads {how}{where}", file=self.repo.rel(written_in),
                       line=_line_of(written_in, needle) if needle else None)

    def _inside(self, node: Node, written_in: Path, reference, value: str) -> Path | None:
        """The target of a path as written, if it may be read at all."""
        label = f"{reference.field} entry {value!r}"
        if is_remote(value):
            self._problem(node, written_in, "remote-reference", value,
                          f"{label} is remote; validation is offline and renders only what is "
                          "in the repo")
            return None
        if os.path.isabs(value) or value.startswith("~"):
            self._problem(node, written_in, "absolute-path", value,
                          f"{label} is an absolute path; paths must be relative and stay "
                          "in the repo")
            return None
        target = node.directory / value
        if not self.repo.is_inside(target):
            node.findings.append(self._escape_finding(target, written_in, label, value))
            return None
        return target

    def _reference(self, node: Node, written_in: Path, reference) -> None:
        value, role = reference.value, reference.role
        if role is Role.PATCH and "\n" in value:  # an inline patch, not a path
            return
        target = self._inside(node, written_in, reference, value)
        if target is None:
            return
        label = f"{reference.field} entry {value!r}"
        if target.is_dir():
            if role not in (Role.RESOURCE, Role.COMPONENT):
                self._problem(node, written_in, "not-a-file", value, f"{label} is a directory")
            elif kustomization_file(target) is None:
                self._problem(node, written_in, "missing-kustomization", value,
                              f"{label} is a directory without a kustomization.yaml")
            else:
                node.children.append((target.resolve(), value))
        elif target.is_file():
            if role is Role.COMPONENT:
                self._problem(node, written_in, "not-a-directory", value,
                              f"{label} must be a directory")
                return
            node.files.add(target.resolve())
            node.findings.extend(yaml_problems(target, self.repo))
            if role is Role.CONFIG:
                self._configs(node, target)
        else:
            self._problem(node, written_in, "missing-file", value,
                          f"{label} does not exist (looked for {self.repo.rel(target)})")

    def _configs(self, node: Node, config_file: Path) -> None:
        """Each generator/transformer config in a file, held to the same rules as inline ones."""
        try:
            documents = load_file(config_file)
        except (YamlError, OSError) as exc:
            if config_file.suffix not in (".yaml", ".yml"):  # else yaml_problems reported it
                self._problem(node, config_file, "syntax", "",
                              f"not a YAML file of configs: {getattr(exc, 'message', exc)}")
            return
        for document in documents:
            if isinstance(document.data, dict):
                self._apply(node, config_file, kustomize_fields.plugin_config(document.data))
            elif document.data is not None:
                self._problem(node, config_file, "syntax", "", "a generator or transformer "
                              "config must be a mapping")

    def _chart(self, node: Node, written_in: Path, chart: kustomize_fields.Chart) -> None:
        home = self._inside(node, written_in, chart, chart.home)
        if home is None:
            return
        chart_dir = home / chart.name
        if not self.repo.is_inside(chart_dir):
            node.findings.append(self._escape_finding(chart_dir, written_in,
                                                      f"helm chart {chart.name!r}", chart.name))
            return
        if not (chart_dir / "Chart.yaml").is_file():
            self._problem(node, written_in, "missing-file", chart.name,
                          f"helm chart {chart.name!r} not found "
                          f"(looked for {self.repo.rel(chart_dir)}/Chart.yaml)")
            return
        resolved = chart_dir.resolve()
        inputs = self._charts.get(resolved)
        if inputs is None:
            inputs = self._charts[resolved] = chart_inputs(resolved, self.repo)
        node.files.update(inputs.files)
        for link in inputs.escapes:
            node.findings.append(self._escape_finding(link, link,
                                                      f"this file of chart {chart.name!r}"))
        node.findings.extend(finding(CHECK, problem.rule, problem.message,
                                     file=self.repo.rel(problem.file), line=problem.line)
                             for problem in inputs.problems)

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
