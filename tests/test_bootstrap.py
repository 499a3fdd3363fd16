"""The bootstrap installs pinned tools idempotently and names the tool it could not install."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

from harness import ROOT, TOOLS_BIN


def test_pinned_tools_report_their_pinned_versions():
    import tomllib

    from marty_platform.tools.bootstrap import find_go
    from marty_platform.tools.manifest import load_manifest

    go = find_go(load_manifest(ROOT / "tools.toml").go_fallback, print)
    pins = tomllib.loads((ROOT / "tools.toml").read_text())["tools"]
    for name, pin in pins.items():
        if pin.get("stage") == "release" and not (TOOLS_BIN / name).is_file():
            continue  # built only by the release workflow (scripts/bootstrap --stage release)
        info = subprocess.run([go, "version", "-m", str(TOOLS_BIN / name)], capture_output=True,
                              text=True, check=True).stdout
        if pin.get("gomod"):  # built in a committed module: the pinned module is the main
            # module of the package built (kube-apiserver) or a dependency of it (otelcol)
            assert re.search(rf"^\s*(mod|dep)\s+{re.escape(pin['module'])}\s+"
                             rf"{re.escape(pin['version'])}\s", info, re.M), name
            continue
        module, version = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", info, re.M).groups()
        assert (module, version) == (pin["module"], pin["version"]), name


def test_bootstrap_skips_a_tool_already_at_its_pin(run_cli):
    outcome = run_cli("bootstrap", "--tool", "kubeconform")
    assert outcome.code == 0, outcome.stderr
    assert re.search(r"kubeconform\s+v\S+\s+present", outcome.stdout)


def test_bootstrap_names_the_tool_it_cannot_install(run_cli, repo_copy):
    manifest = repo_copy / "tools.toml"
    text = manifest.read_text()
    manifest.write_text(re.sub(r'(\[tools\.kubeconform\][^\[]*?version = )"[^"]+"',
                               r'\1"v0.0.0-no-such-version"', text, flags=re.S))
    outcome = run_cli("bootstrap", "--tool", "kubeconform", cwd=repo_copy)
    assert outcome.code == 2
    assert "kubeconform: `go install github.com/yannh/kubeconform/cmd/kubeconform@" \
           "v0.0.0-no-such-version` failed" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_unknown_tool_is_refused(run_cli):
    outcome = run_cli("bootstrap", "--tool", "no-such-tool")
    assert outcome.code == 2 and "unknown tool(s): no-such-tool" in outcome.stderr


def test_offline_schemas_are_self_contained(cache_dir, run_cli):
    run_cli("validate", "--format", "json", "tests/fixtures/clean/configmap.yaml")
    [schema_dir] = list((cache_dir / "schemas").glob("*/v1.34-strict"))
    text = (schema_dir / "configmap-v1.json").read_text()
    schema = json.loads(text)
    assert "$id" not in schema
    all_refs = re.findall(r'"\$ref": "([^"]+)"', text)
    assert all_refs and all(ref.startswith("#/$defs/") for ref in all_refs)
    assert {ref.removeprefix("#/$defs/") for ref in all_refs} <= set(schema["$defs"])


def _add_pin(repo, table: str) -> None:
    manifest = repo / "tools.toml"
    manifest.write_text(manifest.read_text() + "\n" + table)


def test_tools_of_a_later_stage_wait_until_that_stage_is_bootstrapped(run_cli, repo_copy):
    _add_pin(repo_copy, '[tools.later]\nmodule = "example.invalid/later"\n'
                        'version = "v0.0.0-not-built-by-validate"\nstage = "server"\n')
    validate_stage = run_cli("bootstrap", cwd=repo_copy)
    assert validate_stage.code == 0, validate_stage.stderr
    assert "later" not in validate_stage.stdout
    server_stage = run_cli("bootstrap", "--stage", "server", cwd=repo_copy)
    assert server_stage.code == 2
    assert "later: `go install example.invalid/later@v0.0.0-not-built-by-validate` failed" \
        in server_stage.stderr


def test_a_tool_pin_cannot_build_outside_the_repository(run_cli, repo_copy):
    _add_pin(repo_copy, '[tools.escape]\nmodule = "m"\nversion = "v1"\ngomod = "../../tmp"\n')
    outcome = run_cli("bootstrap", "--tool", "kubeconform", cwd=repo_copy)
    assert outcome.code == 2
    assert "[tools.escape] gomod must be a directory inside the repository" in outcome.stderr


def test_an_unknown_stage_in_the_manifest_is_named(run_cli, repo_copy):
    _add_pin(repo_copy, '[tools.odd]\nmodule = "m"\nversion = "v1"\nstage = "sometimes"\n')
    outcome = run_cli("bootstrap", cwd=repo_copy)
    assert outcome.code == 2 and "[tools.odd] stage 'sometimes' is not one of" in outcome.stderr


def test_a_tool_is_built_in_its_committed_module_and_rebuilt_when_that_module_changes(
        run_cli, repo_copy, tmp_path):
    """kube-apiserver and etcd cannot be `go install`ed (their go.mod has `replace`s): they build
    in a committed module. Here the same mechanism builds kustomize from tests/fixtures."""
    bin_dir = tmp_path / "bin"
    _add_pin(repo_copy, '[tools.kustomize-from-module]\n'
                        'module = "sigs.k8s.io/kustomize/kustomize/v5"\nversion = "v5.7.1"\n'
                        'package = "sigs.k8s.io/kustomize/kustomize/v5"\n'
                        'gomod = "tests/fixtures/tools-module"\nsmoke = ["version"]\n')
    from marty_platform.tools.bootstrap import bootstrap
    from marty_platform.tools.manifest import load_manifest

    manifest = load_manifest(repo_copy / "tools.toml")
    lines: list[str] = []
    first = bootstrap(manifest, bin_dir, lines.append, only=["kustomize-from-module"],
                      root=repo_copy)
    assert [o.action for o in first] == ["installed"]
    again = bootstrap(manifest, bin_dir, lines.append, only=["kustomize-from-module"],
                      root=repo_copy)
    assert [o.action for o in again] == ["present"]
    go_mod = repo_copy / "tests/fixtures/tools-module/go.mod"
    go_mod.write_text(go_mod.read_text() + "\n// edited\n")
    changed = bootstrap(manifest, bin_dir, lines.append, only=["kustomize-from-module"],
                        root=repo_copy)
    assert [o.action for o in changed] == ["installed"]


def test_every_failed_build_is_named_and_the_others_still_finish(run_cli, repo_copy):
    """Builds run side by side: one failing does not hide another's failure, nor stop the tools
    that can be installed."""
    for name in ("broken-one", "broken-two"):
        _add_pin(repo_copy, f'[tools.{name}]\nmodule = "example.invalid/{name}"\n'
                            'version = "v0.0.0-no-such-version"\n')
    outcome = run_cli("bootstrap", "--tool", "broken-one", "--tool", "kubeconform",
                      "--tool", "broken-two", cwd=repo_copy)
    assert outcome.code == 2
    assert "2 tools failed to install" in outcome.stderr
    for name in ("broken-one", "broken-two"):
        assert f"{name}: `go install example.invalid/{name}@v0.0.0-no-such-version` failed" \
            in outcome.stderr
    assert re.search(r"kubeconform\s+v\S+\s+present", outcome.stdout)
    assert "Traceback" not in outcome.stderr


def test_a_program_that_passed_its_smoke_test_is_not_started_again_until_it_changes(tmp_path):
    """A no-op bootstrap does not run every tool again. The proof: a copy of kubeconform made
    unexecutable (chmod keeps its size, mtime and inode) is still `present`, its smoke test
    skipped; once the file changes (here its mtime), the smoke test runs again and fails."""
    from marty_platform.errors import ToolError
    from marty_platform.tools.bootstrap import bootstrap
    from marty_platform.tools.manifest import load_manifest

    manifest = load_manifest(ROOT / "tools.toml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    binary = bin_dir / "kubeconform"
    shutil.copy2(TOOLS_BIN / "kubeconform", binary)
    lines: list[str] = []
    first = bootstrap(manifest, bin_dir, lines.append, only=["kubeconform"], root=ROOT)
    assert [o.action for o in first] == ["present"]
    binary.chmod(0o644)
    again = bootstrap(manifest, bin_dir, lines.append, only=["kubeconform"], root=ROOT)
    assert [o.action for o in again] == ["present"]
    stat = binary.stat()
    os.utime(binary, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        bootstrap(manifest, bin_dir, lines.append, only=["kubeconform"], root=ROOT)
    except ToolError as exc:
        assert "kubeconform: installed binary does not run" in str(exc)
    else:
        raise AssertionError("the changed, unexecutable binary passed")


def _make_dry_run(repo, target: str) -> str:
    proc = subprocess.run(["make", "--no-print-directory", "-n", target], cwd=repo,
                          capture_output=True, text=True, timeout=60, check=True)
    return proc.stdout


def test_the_venv_is_reinstalled_when_pyproject_content_changes_not_its_mtime(repo_copy):
    """`make venv` is keyed by pyproject.toml's checksum: a checkout that only touches the file
    skips the install; a changed pin reinstalls."""
    planned = _make_dry_run(repo_copy, "venv")
    assert "pip install" in planned
    stamp = re.search(r"^touch (\S+)$", planned, re.M).group(1)
    (repo_copy / stamp).parent.mkdir(parents=True)
    (repo_copy / stamp).touch()
    assert "pip install" not in _make_dry_run(repo_copy, "venv")
    pyproject = repo_copy / "pyproject.toml"
    newer = (repo_copy / stamp).stat().st_mtime_ns + 10_000_000_000  # as a checkout leaves it
    os.utime(pyproject, ns=(newer, newer))
    assert "pip install" not in _make_dry_run(repo_copy, "venv")
    pyproject.write_text(pyproject.read_text() + "\n# a changed pin\n")
    assert "pip install" in _make_dry_run(repo_copy, "venv")
