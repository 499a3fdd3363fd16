"""The render input boundary: a pull request decides what kustomize and helm read, and must not be
able to make them read outside the repo (or .git/), reach the network, or hide behind the cache.

Each test plants a canary outside a copy of the repo (a file with unique content) or a local
listener, points some field of a kustomization, a generator/transformer config or a chart at it,
and runs the real commands: the canary never appears in any output, the listener sees no
connection, and the run fails with a finding that names the file (and line) that asked.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from harness import ROOT, TOOLS_BIN

if not (TOOLS_BIN / "kustomize").is_file():
    pytest.skip("the pinned tools are not installed; run `make bootstrap`", allow_module_level=True)

APP = "platform-namespaces"  # a small overlay without a chart: fast to render
CHART_APP = "ui-app"  # an overlay that inflates charts/microservice


class Canary:
    """A file outside the repo whose unique content must never show up in any output."""

    def __init__(self, directory: Path):
        self.secret = f"canary-{uuid.uuid4().hex}"
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "canary.yaml"
        self.path.write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: canary\n"
            f"data:\n  secret: {self.secret}\n", encoding="utf-8")

    def relative_to(self, directory: Path) -> str:
        return os.path.relpath(self.path, directory)

    def assert_unseen(self, *outcomes) -> None:
        for outcome in outcomes:
            assert self.secret not in outcome.stdout + outcome.stderr, outcome


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/charts"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def canary(tmp_path) -> Canary:
    return Canary(tmp_path / "outside")


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _overlay(repo: Path, app: str = APP) -> Path:
    return repo / "overlays" / "dev" / app


def _append(repo: Path, text: str, app: str = APP) -> Path:
    """Add the top-level field `text` starts with, replacing the overlay's own (a duplicate key
    would be refused before the path is looked at)."""
    kustomization = _overlay(repo, app) / "kustomization.yaml"
    key = text.split(":", 1)[0] + ":"
    kept, skipping = [], False
    for line in kustomization.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line[:1].isspace():
            skipping = line.startswith(key)
        if not skipping:
            kept.append(line)
    kustomization.write_text("".join(kept) + text, encoding="utf-8")
    return kustomization


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text)


def _render(run_cli, repo: Path, app: str = APP):
    return run_cli("render", "--env", "dev", "--app", app, cwd=repo)


# --- 1. generators and transformers ------------------------------------------------------------
def test_inline_configmap_generator_cannot_read_a_host_file(run_cli, repo_copy, canary):
    kustomization = _append(repo_copy, (
        "generators:\n"
        "  - |\n    apiVersion: builtin\n    kind: ConfigMapGenerator\n"
        "    metadata: {name: notes}\n"
        f"    files: [notes={canary.path}]\n"))
    validate = run_cli("validate", "--format", "json", str(_overlay(repo_copy)), cwd=repo_copy)
    render = _render(run_cli, repo_copy)
    canary.assert_unseen(validate, render)
    assert validate.code == 1, validate
    rel = "overlays/dev/platform-namespaces/kustomization.yaml"
    assert validate.findings(file=rel, rule="absolute-path",
                             line=_line_of(kustomization, str(canary.path))), validate.stdout
    assert render.code == 1 and rel in render.stderr, render


def test_generator_config_file_cannot_reach_outside_the_repo(run_cli, repo_copy, canary):
    overlay = _overlay(repo_copy)
    (overlay / "notes-generator.yaml").write_text(
        "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: notes\n"
        f"files:\n  - notes={canary.relative_to(overlay)}\n", encoding="utf-8")
    _append(repo_copy, "generators:\n  - notes-generator.yaml\n")
    validate = run_cli("validate", "--format", "json", str(overlay), cwd=repo_copy)
    render = _render(run_cli, repo_copy)
    canary.assert_unseen(validate, render)
    assert validate.code == 1, validate
    assert validate.findings(file="overlays/dev/platform-namespaces/notes-generator.yaml",
                             rule="outside-repo", line=6), validate.stdout


# Every field that names a file, written inline or in a config file, pointing outside the repo.
ESCAPES = {
    "configMapGenerator.files": "configMapGenerator:\n  - name: x\n    files: [k={p}]\n",
    "configMapGenerator.envs": "configMapGenerator:\n  - name: x\n    envs: [{p}]\n",
    "secretGenerator.files": "secretGenerator:\n  - name: x\n    files: [{p}]\n",
    "patches.path": "patches:\n  - path: {p}\n",
    "patchesStrategicMerge": "patchesStrategicMerge:\n  - {p}\n",
    "patchesJson6902.path": "patchesJson6902:\n  - target: {{kind: Namespace}}\n    path: {p}\n",
    "replacements.path": "replacements:\n  - path: {p}\n",
    "openapi.path": "openapi:\n  path: {p}\n",
    "crds": "crds:\n  - {p}\n",
    "configurations": "configurations:\n  - {p}\n",
    "bases": "bases:\n  - {p}\n",
    "components": "components:\n  - {p}\n",
    "transformers.PatchTransformer": (
        "transformers:\n  - |\n    apiVersion: builtin\n    kind: PatchTransformer\n"
        "    metadata: {{name: x}}\n    path: {p}\n"),
    "transformers.PatchStrategicMergeTransformer": (
        "transformers:\n  - |\n    apiVersion: builtin\n    kind: PatchStrategicMergeTransformer\n"
        "    metadata: {{name: x}}\n    paths: [{p}]\n"),
    "transformers.PatchJson6902Transformer": (
        "transformers:\n  - |\n    apiVersion: builtin\n    kind: PatchJson6902Transformer\n"
        "    metadata: {{name: x}}\n    target: {{kind: Namespace}}\n    path: {p}\n"),
    "transformers.ReplacementTransformer": (
        "transformers:\n  - |\n    apiVersion: builtin\n    kind: ReplacementTransformer\n"
        "    metadata: {{name: x}}\n    replacements: [{{path: {p}}}]\n"),
    "generators.SecretGenerator": (
        "generators:\n  - |\n    apiVersion: builtin\n    kind: SecretGenerator\n"
        "    metadata: {{name: x}}\n    envs: [{p}]\n"),
}


@pytest.mark.parametrize("field", sorted(ESCAPES))
def test_no_field_names_a_file_outside_the_repo(run_cli, repo_copy, canary, field):
    relative = canary.relative_to(_overlay(repo_copy))
    for path in (relative, str(canary.path)):
        kustomization = _overlay(repo_copy) / "kustomization.yaml"
        original = kustomization.read_text(encoding="utf-8")
        _append(repo_copy, ESCAPES[field].format(p=path))
        render = _render(run_cli, repo_copy)
        kustomization.write_text(original, encoding="utf-8")
        canary.assert_unseen(render)
        assert render.code == 1, render
        assert "overlays/dev/platform-namespaces/kustomization.yaml:" in render.stderr, render
        assert "[kustomize/outside-repo]" in render.stderr or \
            "[kustomize/absolute-path]" in render.stderr, render


def test_unknown_fields_are_refused_not_trusted(run_cli, repo_copy):
    kustomization = _append(repo_copy, "patches:\n  - target: {kind: Namespace}\n"
                                       "    patchFile: elsewhere.yaml\n")
    render = _render(run_cli, repo_copy)
    assert render.code == 1, render
    line = _line_of(kustomization, "patchFile:")
    assert f"kustomization.yaml:{line}: error: field 'patchFile' of patches" in render.stderr


def test_plugins_are_refused(run_cli, repo_copy):
    _append(repo_copy, "transformers:\n  - |\n    apiVersion: example.com/v1\n    kind: Runner\n"
                       "    metadata:\n      name: x\n      annotations:\n"
                       "        config.kubernetes.io/function: |\n"
                       "          exec: {path: ./run.sh}\n")
    render = _render(run_cli, repo_copy)
    assert render.code == 1 and "[kustomize/plugin]" in render.stderr, render


def test_inline_helm_generator_opens_no_connection(run_cli, repo_copy, listener):
    kustomization = _append(repo_copy, (
        "generators:\n  - |\n    apiVersion: builtin\n    kind: HelmChartInflationGenerator\n"
        "    metadata: {name: fetched}\n    name: fetched\n    version: 1.0.0\n"
        f"    repo: {listener.url}\n    releaseName: fetched\n"))
    validate = run_cli("validate", "--format", "json", str(_overlay(repo_copy)), cwd=repo_copy)
    render = _render(run_cli, repo_copy)
    assert listener.connections == 0
    assert validate.code == 1 and render.code == 1, (validate, render)
    assert validate.findings(file="overlays/dev/platform-namespaces/kustomization.yaml",
                             rule="remote-reference",
                             line=_line_of(kustomization, listener.url)), validate.stdout


def test_legacy_helm_field_is_refused_and_opens_no_connection(run_cli, repo_copy, listener):
    kustomization = _append(repo_copy, (
        "helmChartInflationGenerator:\n  - chartName: fetched\n    chartVersion: 1.0.0\n"
        f"    chartRepoUrl: {listener.url}\n    releaseName: fetched\n"))
    validate = run_cli("validate", "--format", "json", str(_overlay(repo_copy)), cwd=repo_copy)
    assert listener.connections == 0
    assert validate.code == 1, validate
    assert validate.findings(file="overlays/dev/platform-namespaces/kustomization.yaml",
                             rule="legacy-helm",
                             line=_line_of(kustomization, "helmChartInflationGenerator:"))


def test_helm_config_home_is_refused(run_cli, repo_copy, canary):
    _append(repo_copy, f"helmGlobals:\n  configHome: {canary.path.parent}\n")
    render = _render(run_cli, repo_copy)
    assert render.code == 1 and "[kustomize/remote-reference]" in render.stderr, render


def test_tools_have_no_network_even_if_a_reference_slips_through(listener):
    """The second line: a command run the way every pinned tool runs cannot connect anywhere."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from marty_platform.tools.runner import Command, network_isolation, run
    finally:
        sys.path.pop(0)
    if not network_isolation():
        pytest.skip("this kernel allows no network namespace here")
    probe = ("import socket, sys\n"
             f"try: socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\n"
             "except OSError: sys.exit(3)\n")
    completed = run(Command(argv=(sys.executable, "-c", probe), env={}, isolated=True,
                            problem_codes=(3,)))
    assert completed.returncode == 3, completed
    assert listener.connections == 0


def test_every_pinned_tool_is_run_isolated(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from marty_platform.tools.runner import ToolBox
    finally:
        sys.path.pop(0)
    (tmp_path / "kustomize").write_text("")
    assert ToolBox(tmp_path, tmp_path).command("kustomize", "version").isolated


def test_transformer_patch_file_is_part_of_the_cache_key(run_cli, repo_copy):
    overlay = _overlay(repo_copy)
    patch = overlay / "label.yaml"
    patch.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: marty-dev\n"
                     "  labels:\n    patched: before\n", encoding="utf-8")
    (overlay / "label-transformer.yaml").write_text(
        "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: label\n"
        "path: label.yaml\ntarget:\n  kind: Namespace\n", encoding="utf-8")
    _append(repo_copy, "transformers:\n  - label-transformer.yaml\n")
    first = _render(run_cli, repo_copy)
    assert first.code == 0 and "patched: before" in first.stdout, first
    patch.write_text(patch.read_text().replace("before", "after"), encoding="utf-8")
    second = _render(run_cli, repo_copy)
    assert second.code == 0 and "patched: after" in second.stdout, second


# --- 2. .git/ is not inside the repo ------------------------------------------------------------
def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_git_config_is_never_rendered_nor_printed_by_diff(run_cli, repo_copy):
    token = f"ghs_{uuid.uuid4().hex}"
    _git(repo_copy, "init", "--quiet", "--initial-branch=main")
    _git(repo_copy, "config", "http.https://github.com/.extraheader",
         f"AUTHORIZATION: basic {token}")
    _git(repo_copy, "add", "--all")
    _git(repo_copy, "commit", "--quiet", "-m", "base")
    kustomization = _append(repo_copy, "configMapGenerator:\n  - name: leak\n"
                                       "    files: [config=../../../.git/config]\n")
    validate = run_cli("validate", "--format", "json", str(_overlay(repo_copy)), cwd=repo_copy)
    render = _render(run_cli, repo_copy)
    diff = run_cli("diff", "--base", "main", "--env", "dev", "--format", "markdown",
                   cwd=repo_copy)
    for outcome in (validate, render, diff):
        assert token not in outcome.stdout + outcome.stderr, outcome
        assert outcome.code != 0, outcome
    found = validate.findings(file="overlays/dev/platform-namespaces/kustomization.yaml",
                              rule="outside-repo", line=_line_of(kustomization, ".git/config"))
    assert found and ".git/" in found[0]["message"], validate.stdout


# --- 3. symlinks -------------------------------------------------------------------------------
def _link_template(repo: Path, canary: Canary) -> Path:
    link = repo / "charts" / "microservice" / "templates" / "notes.yaml"
    link.symlink_to(canary.path)
    return link


def test_chart_template_symlink_out_of_the_repo_is_refused(run_cli, repo_copy, canary):
    _link_template(repo_copy, canary)
    validate = run_cli("validate", "--format", "json", str(_overlay(repo_copy, CHART_APP)),
                       cwd=repo_copy)
    render = _render(run_cli, repo_copy, CHART_APP)
    canary.assert_unseen(validate, render)
    assert validate.code == 1 and render.code == 1, (validate, render)
    assert validate.findings(file="charts/microservice/templates/notes.yaml",
                             rule="symlink-outside-repo"), validate.stdout


def test_chart_files_symlink_into_git_is_refused(run_cli, repo_copy):
    token = f"ghs_{uuid.uuid4().hex}"
    (repo_copy / ".git").mkdir()
    (repo_copy / ".git" / "config").write_text(f"[http]\n\textraheader = basic {token}\n")
    files = repo_copy / "charts" / "microservice" / "files"
    files.mkdir()
    (files / "config").symlink_to(repo_copy / ".git" / "config")
    render = _render(run_cli, repo_copy, CHART_APP)
    assert token not in render.stdout + render.stderr
    assert render.code == 1 and "into .git/" in render.stderr, render


def test_validateignore_cannot_hide_a_symlink_escape(run_cli, repo_copy, canary):
    link = repo_copy / "docs" / "notes.yaml"
    link.symlink_to(canary.path)
    ignore = repo_copy / ".validateignore"
    ignore.write_text(ignore.read_text() + "docs/notes.yaml\ndocs/*\n", encoding="utf-8")
    validate = run_cli("validate", "--format", "json", "--env", "dev", cwd=repo_copy)
    canary.assert_unseen(validate)
    assert validate.code == 1, validate
    assert validate.findings(file="docs/notes.yaml", rule="symlink-outside-repo"), validate.stdout


def test_path_mode_refuses_a_symlinked_manifest_leaving_the_repo(run_cli, repo_copy, canary):
    link = repo_copy / "rendered.yaml"
    link.symlink_to(canary.path)
    validate = run_cli("validate", "rendered.yaml", cwd=repo_copy)
    canary.assert_unseen(validate)
    assert validate.code == 2 and "rendered.yaml" in validate.stderr, validate


# --- chart values schemas ------------------------------------------------------------------------
def _refer_from_chart_schema(repo: Path, reference: str) -> Path:
    schema_file = repo / "charts" / "microservice" / "values.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["allOf"] = [*schema.get("allOf", []), {"$ref": reference}]
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return schema_file


def test_chart_schema_cannot_read_a_host_file(run_cli, repo_copy, canary):
    leak = canary.path.with_name("canary.json")
    leak.write_text(json.dumps({"required": [canary.secret]}), encoding="utf-8")
    _refer_from_chart_schema(repo_copy, leak.as_uri())
    render = _render(run_cli, repo_copy, CHART_APP)
    canary.assert_unseen(render)
    assert render.code == 1, render
    assert "charts/microservice/values.schema.json:" in render.stderr, render
    assert "[kustomize/schema-reference]" in render.stderr, render


def test_chart_schema_opens_no_connection(run_cli, repo_copy, listener):
    _refer_from_chart_schema(repo_copy, f"{listener.url}/schema.json")
    render = _render(run_cli, repo_copy, CHART_APP)
    assert listener.connections == 0
    assert render.code == 1 and "[kustomize/schema-reference]" in render.stderr, render
