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
        info = subprocess.run([go, "version", "-m", str(TOOLS_BIN / name)], capture_output=True,
                              text=True, check=True).stdout
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
    outcome = run_cli("bootstrap", "--tool", "kubectl")
    assert outcome.code == 2 and "unknown tool(s): kubectl" in outcome.stderr


def test_offline_schemas_are_self_contained(cache_dir, run_cli):
    run_cli("validate", "--format", "json", "tests/fixtures/clean/configmap.yaml")
    [schema_dir] = list((cache_dir / "schemas").glob("*/v1.33-strict"))
    text = (schema_dir / "configmap-v1.json").read_text()
    schema = json.loads(text)
    assert "$id" not in schema
    all_refs = re.findall(r'"\$ref": "([^"]+)"', text)
    assert all_refs and all(ref.startswith("#/$defs/") for ref in all_refs)
    assert {ref.removeprefix("#/$defs/") for ref in all_refs} <= set(schema["$defs"])
