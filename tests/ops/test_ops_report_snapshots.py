"""Every command's report, pinned: validate, diff, drift and slo-report on one small tree, in the
text, markdown, github, sarif and junit formats (those the reporter registry has for the
command), compared with the files in tests/snapshots/. Every format of the registry is run from
the command line too, and must parse.

A deliberate change of a report's shape: refresh the snapshots with
`MARTY_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/ops/test_ops_report_snapshots.py`
and review the diff of tests/snapshots/ like any other change.
"""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from marty_platform.diffing.model import DiffReport
from marty_platform.drift.detect import DriftReport
from marty_platform.model import Report
from marty_platform.monitoring.slo_report import SloReport
from marty_platform.report import registry
from ops_support import FIXTURES, make_tree

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
SLO_RESULTS = Path(__file__).resolve().parents[1] / "monitoring" / "fixtures" / "slo-results.json"
UPDATE = os.environ.get("MARTY_UPDATE_SNAPSHOTS") == "1"
PINNED_FORMATS = ("text", "markdown", "github", "sarif", "junit")
_SUFFIX = {"text": "txt", "markdown": "md", "github": "github.txt", "sarif": "sarif.json",
           "junit": "junit.xml"}

# A Deployment whose digest is malformed (the stand-in digests policy) and a ConfigMap with a
# field Kubernetes does not know (kubeconform): two located findings in dev.
EXTRA = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: marty-dev
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/marty-platform/api:1.0@sha256:abc
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: marty-dev
data:
  level: debug
colour: blue
"""


@pytest.fixture(scope="module")
def snapshot_tree(tmp_path_factory) -> Path:
    tree = make_tree(tmp_path_factory.mktemp("snapshots") / "repo")
    overlay = tree / "overlays" / "dev" / "web"
    (overlay / "extra.yaml").write_text(EXTRA)
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "resources:\n", "resources:\n  - extra.yaml\n"))
    live = json.loads((FIXTURES / "live-dev.json").read_text())
    for item in live["items"]:
        if item["kind"] == "Deployment":
            item["spec"]["replicas"] = 4
    (tree / "live-dev.json").write_text(json.dumps(live))
    return tree


# command name → (arguments, result type, exit code)
COMMANDS = {
    "validate": (["overlays/dev/web"], Report, 1),
    "diff": (["--from-env", "dev", "--to-env", "prod"], DiffReport, 1),
    "drift": (["--env", "dev", "--live", "live-dev.json"], DriftReport, 1),
    "slo-report": (["--results", str(SLO_RESULTS)], SloReport, 1),
}
# Commands reporting the same result type as one above, run in every format but not pinned.
DIGEST = "sha256:" + "a" * 64
SAME_REPORTS = {
    "promote": (["dev", "staging", "--dry-run"], DiffReport, 0),
    # dev carries the broken extra.yaml: the release is reported, and refused (exit 1).
    "release": (["web", "1.6.0", "--digest", DIGEST, "--dry-run"], DiffReport, 1),
    # Offline, the dependency audit cannot run: an error, never a silent pass (exit 1).
    "scan": (["--online"], Report, 1),
    # The tree has no requirements/: both locks are reported missing (exit 1).
    "lock": (["--check"], Report, 1),
}


def _stable(output: str, tree: Path) -> str:
    """Without what changes from run to run: the stop-commands token and the tree's path."""
    output = re.sub(r"::stop-commands::[0-9a-f]{32}", "::stop-commands::TOKEN", output)
    output = re.sub(r"^::[0-9a-f]{32}::$", "::TOKEN::", output, flags=re.M)
    return output.replace(str(tree), "<tree>")


def _run(cli, tree: Path, command: str, output_format: str):
    args, _, code = {**COMMANDS, **SAME_REPORTS}[command]
    result = cli(tree, command, *args, "--format", output_format, env={"NO_COLOR": "1"})
    assert result.code == code, result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result


def _pinned():
    return [(command, output_format) for command, (_, kind, _) in sorted(COMMANDS.items())
            for output_format in PINNED_FORMATS if output_format in registry.formats(kind)]


@pytest.mark.parametrize(("command", "output_format"), _pinned())
def test_report_matches_its_snapshot(cli, snapshot_tree, command, output_format):
    output = _stable(_run(cli, snapshot_tree, command, output_format).stdout, snapshot_tree)
    snapshot = SNAPSHOTS / f"report-{command}.{_SUFFIX[output_format]}"
    if UPDATE:
        snapshot.write_text(output, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot.name}; run with MARTY_UPDATE_SNAPSHOTS=1"
    assert output == snapshot.read_text(encoding="utf-8"), (
        f"{command} --format {output_format} differs from tests/snapshots/{snapshot.name}; if "
        "the change is meant, refresh with MARTY_UPDATE_SNAPSHOTS=1 and review the diff")


def _pairs():
    return [(command, output_format)
            for command, (_, kind, _) in sorted({**COMMANDS, **SAME_REPORTS}.items())
            for output_format in registry.formats(kind)]


@pytest.mark.parametrize(("command", "output_format"), _pairs())
def test_every_registered_format_works_from_the_command_line(cli, snapshot_tree, command,
                                                             output_format):
    output = _run(cli, snapshot_tree, command, output_format).stdout
    assert output.strip()
    if output_format in ("json", "sarif"):
        json.loads(output)
    elif output_format == "junit":
        assert ET.fromstring(output.split("\n", 1)[1]).tag == "testsuites"
    elif output_format == "github":
        assert re.search(r"^::(error|warning|notice) ", output, flags=re.M), output


def test_every_command_reporting_is_run_in_every_format():
    """Each command whose --format the registry fills is run above, so no pair goes untried."""
    from marty_platform import cli

    reporting = {name for name, command in cli.main.commands.items()
                 if any(p.name == "output_format" for p in command.params)}
    assert reporting == set(COMMANDS) | set(SAME_REPORTS)


def test_validate_github_annotations_locate_each_finding(cli, snapshot_tree):
    output = _run(cli, snapshot_tree, "validate", "github").stdout
    assert "::error file=overlays/dev/web/extra.yaml,line=25,title=kubeconform/schema::" in output


@pytest.mark.parametrize("output_format", registry.formats(DiffReport))
def test_every_diff_format_can_be_written_to_a_directory(cli, snapshot_tree, tmp_path,
                                                         output_format):
    out = tmp_path / "out"
    result = cli(snapshot_tree, "diff", *COMMANDS["diff"][0], "--format", output_format,
                 "--out-dir", str(out))
    assert result.code == 1 and "Traceback" not in result.stderr, result
    [written] = list(out.iterdir())
    assert written.name.startswith("diff-1.") and written.read_text().strip()
