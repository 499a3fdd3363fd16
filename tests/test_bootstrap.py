"""The bootstrap installs pinned tools idempotently and names the tool it could not install."""
from __future__ import annotations

import json
import re
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
