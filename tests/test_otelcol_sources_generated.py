"""tools/go/otelcol is what the pinned OpenTelemetry Collector Builder generates from
tools/otelcol/builder-config.yaml: regenerated offline (no module download, no compilation), the
Go sources are byte for byte the committed ones, so the manifest and the collector validation
runs cannot drift apart."""
from __future__ import annotations

from pathlib import Path

import yaml

from harness import ROOT, TOOLS_BIN, pinned_tool
from marty_platform.tools.runner import ToolBox

MANIFEST = ROOT / "tools" / "otelcol" / "builder-config.yaml"
SOURCES = ROOT / "tools" / "go" / "otelcol"


def _generate(manifest: dict, tmp_path: Path) -> Path:
    out = tmp_path / "otelcol"
    manifest["dist"]["output_path"] = str(out)
    config = tmp_path / "builder-config.yaml"
    config.write_text(yaml.safe_dump(manifest))
    ToolBox(TOOLS_BIN, tmp_path / "home").run(
        "builder", f"--config={config}", "--skip-compilation", "--skip-get-modules",
        cwd=tmp_path)
    return out


def test_committed_sources_are_what_the_builder_generates(tmp_path):
    pinned_tool("builder")
    out = _generate(yaml.safe_load(MANIFEST.read_text()), tmp_path)
    generated = sorted(p.name for p in out.glob("*.go"))
    assert generated == sorted(p.name for p in SOURCES.glob("*.go"))
    for name in generated:
        assert (out / name).read_text() == (SOURCES / name).read_text(), name
    assert "DO NOT EDIT" in (SOURCES / "go.mod").read_text()


def test_a_manifest_change_changes_the_sources(tmp_path):
    pinned_tool("builder")
    manifest = yaml.safe_load(MANIFEST.read_text())
    manifest["processors"] = [p for p in manifest["processors"]
                              if "tailsamplingprocessor" not in p["gomod"]]
    out = _generate(manifest, tmp_path)
    assert (out / "components.go").read_text() != (SOURCES / "components.go").read_text()


def test_the_collector_is_built_from_the_committed_module():
    text = (ROOT / "tools.toml").read_text()
    assert 'gomod = "tools/go/otelcol"' in text
    go_mod = (SOURCES / "go.mod").read_text()
    assert "go.opentelemetry.io/collector/otelcol v0.165.0" in go_mod
    assert "replace" not in go_mod
