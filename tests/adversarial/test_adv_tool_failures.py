"""A tool that did not run properly is a tooling error (exit 2, one line naming the tool and what
it ran on), never zero findings; a broken input the tool does understand stays a finding.

Real broken inputs where the tool has them (a Rego syntax error, an unparsable .tf file). Where a
tool has no input that makes it fail rather than report, `MARTY_TOOLS_BIN` points at the pinned
tools with that one replaced by a program that exits 1 and prints nothing: a fault injected on the
failure path, standing in for no tool's result.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from harness import BROKEN, TOOLS_BIN, pinned_tool

ALL_TOOLS = ("kustomize", "helm", "kubeconform", "conftest", "promtool", "amtool", "terraform",
             "sloth")
POLICY = "policies/availability/availability.rego"
BROKEN_REGO = "\ndeny contains msg if {\n  input.kind ==\n}\n"
OVERLAY = "overlays/dev/trust-anchor"
MANIFEST = str(BROKEN / "manifests" / "policy-deny.yaml")


RENDER_TOOLS = ("kustomize", "helm", "kubeconform", "conftest")


@pytest.fixture
def render_tools():
    """What path mode runs (kustomize inflates charts with helm)."""
    for name in RENDER_TOOLS:
        pinned_tool(name)


@pytest.fixture
def all_tools():
    """What a whole-repo run needs: a missing one would end it with exit 2 for another reason."""
    for name in ALL_TOOLS:
        pinned_tool(name)


def tools_with(tmp_path: Path, tool: str, program: bytes) -> str:
    """The pinned tools, with `tool` replaced by `program`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for binary in TOOLS_BIN.iterdir():
        (bin_dir / binary.name).symlink_to(binary.resolve())
    (bin_dir / tool).unlink()
    (bin_dir / tool).write_bytes(program)
    (bin_dir / tool).chmod(0o755)
    return str(bin_dir)


SILENT_FAILURE = b"#!/bin/sh\nexit 1\n"


def assert_tooling_error(outcome, tool: str, *named: str) -> None:
    assert outcome.code == 2, (outcome.code, outcome.stdout[-2000:], outcome.stderr)
    assert "Traceback" not in outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(f"error: {tool} failed"), lines[0]
    for text in named:
        assert text in lines[0], lines[0]


def test_rego_syntax_error_fails_path_mode(render_tools, run_cli, repo_copy):
    (repo_copy / POLICY).write_text((repo_copy / POLICY).read_text() + BROKEN_REGO)
    outcome = run_cli("validate", OVERLAY, cwd=repo_copy)
    assert_tooling_error(outcome, "conftest", "policies/", f"{POLICY}:")


def test_rego_syntax_error_fails_manifest_mode(render_tools, run_cli, repo_copy):
    (repo_copy / POLICY).write_text((repo_copy / POLICY).read_text() + BROKEN_REGO)
    outcome = run_cli("validate", "--format", "json", MANIFEST, cwd=repo_copy)
    assert outcome.stdout == ""
    assert_tooling_error(outcome, "conftest", f"{POLICY}:")


def test_rego_syntax_error_fails_whole_repo(all_tools, run_cli, repo_copy):
    (repo_copy / POLICY).write_text((repo_copy / POLICY).read_text() + BROKEN_REGO)
    outcome = run_cli("validate", "--env", "dev", cwd=repo_copy)
    assert_tooling_error(outcome, "conftest", f"{POLICY}:")


def test_kubeconform_that_reports_nothing_fails(render_tools, run_cli, tmp_path):
    bin_dir = tools_with(tmp_path, "kubeconform", SILENT_FAILURE)
    outcome = run_cli("validate", MANIFEST, env={"MARTY_TOOLS_BIN": bin_dir})
    assert_tooling_error(outcome, "kubeconform", "printed no result (exit 1)")


def test_tool_that_is_not_a_program_fails(render_tools, run_cli, tmp_path):
    bin_dir = tools_with(tmp_path, "kubeconform", os.urandom(64).replace(b"#!", b"xx"))
    outcome = run_cli("validate", MANIFEST, env={"MARTY_TOOLS_BIN": bin_dir})
    assert_tooling_error(outcome, "kubeconform", "cannot be run")


def test_kustomize_that_reports_nothing_fails(render_tools, run_cli, tmp_path):
    bin_dir = tools_with(tmp_path, "kustomize", SILENT_FAILURE)
    outcome = run_cli("validate", OVERLAY, env={"MARTY_TOOLS_BIN": bin_dir,
                                                "MARTY_CACHE_DIR": str(tmp_path / "cold-cache")})
    assert_tooling_error(outcome, "kustomize", OVERLAY)


@pytest.mark.parametrize("tool,named", [
    ("helm", "charts/"),
    ("promtool", "monitoring/"),
    ("amtool", "monitoring/alertmanager/"),
    ("sloth", "monitoring/slo/"),
    ("terraform", "terraform/"),
])
def test_repo_tool_that_reports_nothing_fails(all_tools, run_cli, repo_copy, tmp_path,
                                        tool, named):
    for overlay in (repo_copy / "overlays").glob("*/*/"):
        shutil.rmtree(overlay)  # these tools run on the repo, not on rendered objects
    bin_dir = tools_with(tmp_path, tool, SILENT_FAILURE)
    outcome = run_cli("validate", "--env", "dev", cwd=repo_copy, env={"MARTY_TOOLS_BIN": bin_dir})
    assert_tooling_error(outcome, tool, named)


def test_inputs_a_tool_rejects_stay_findings(all_tools, run_cli, repo_copy):
    """A broken Alertmanager config and an unparsable .tf file are findings with their file (and
    line), not tooling errors, and not noise from the checks that depend on them."""
    config = repo_copy / "monitoring" / "alertmanager" / "alertmanager.yaml"
    config.write_text(config.read_text() + "\nroute: [not, a, route]\n")
    broken = repo_copy / "terraform" / "modules" / "network" / "broken.tf"
    broken.write_text('locals {\n  name = "a"\n  oops = = 1\n}\n')
    outcome = run_cli("validate", "--env", "dev", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = outcome.findings(check="amtool", rule="check-config")
    assert item["file"] == "monitoring/alertmanager/alertmanager.yaml"
    # The routing table cannot be tested against a config amtool rejects: no noise about it.
    assert not [f for f in outcome.json["findings"] if f["rule"].startswith("route-")]
    [item] = outcome.findings(check="terraform", rule="syntax")
    assert (item["file"], item["line"]) == ("terraform/modules/network/broken.tf", 3)
    assert "Invalid expression" in item["message"]
    assert not outcome.findings(check="conftest-terraform")


def test_tool_output_is_cleaned_before_it_is_quoted(render_tools, run_cli, repo_copy):
    """No terminal escapes and no credential-looking value from a tool's stderr is printed."""
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    (repo_copy / POLICY).write_text((repo_copy / POLICY).read_text() +
                                    f'\nx := "{token}" +\n')
    outcome = run_cli("validate", MANIFEST, cwd=repo_copy)
    assert outcome.code == 2
    assert token not in outcome.stderr and "\x1b[" not in outcome.stderr
    assert re.search(r"<redacted:[0-9a-f]{8}>", outcome.stderr), outcome.stderr

