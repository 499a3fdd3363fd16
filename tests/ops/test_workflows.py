"""The diff, drift and promote workflows: valid YAML, actions pinned by SHA, actionlint-clean."""
import re
import subprocess

import pytest
import yaml

from harness import pinned_tool
from ops_support import ROOT

WORKFLOWS = [ROOT / ".github" / "workflows" / f"{name}.yaml"
             for name in ("diff-comment", "drift", "promote")]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_is_valid_and_pinned(path):
    data = yaml.safe_load(path.read_text())
    assert data["jobs"] and data["permissions"]
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_actionlint():
    actionlint = pinned_tool("actionlint")
    proc = subprocess.run([str(actionlint), "-shellcheck=", "-pyflakes=",
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
