"""The online Terraform workflow covers every root the tree has, plans only where credentials
can exist, and passes actionlint."""
from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from harness import pinned_tool

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "terraform.yaml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _roots() -> set[str]:
    base = ROOT / "terraform"
    return {p.parent.relative_to(base).as_posix()
            for kind in ("envs", "examples") for p in (base / kind).glob("*/main.tf")}


def test_every_env_root_and_example_is_initialised_and_validated():
    job = _workflow()["jobs"]["validate"]
    assert {r["dir"] for r in job["strategy"]["matrix"]["root"]} == _roots()
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "init -backend=false" in runs and "validate" in runs and "providers lock" in runs
    assert "id-token" not in (job.get("permissions") or {})


def test_plan_runs_for_every_env_only_on_pull_requests_from_this_repository():
    job = _workflow()["jobs"]["plan"]
    envs = {p.name for p in (ROOT / "terraform" / "envs").iterdir() if p.is_dir()}
    assert set(job["strategy"]["matrix"]["env"]) == envs
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert job["permissions"]["id-token"] == "write"
    assert _workflow()["permissions"] == {"contents": "read"}


def test_actionlint_accepts_the_workflow():
    proc = subprocess.run([str(pinned_tool("actionlint")), "-shellcheck=", "-pyflakes=",
                           str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
