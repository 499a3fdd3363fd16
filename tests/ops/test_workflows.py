"""The GitHub workflows: valid YAML, actions pinned by SHA, actionlint-clean, and set up so that
they would work on GitHub (toolchain version, caches, triggers, the rendered branch)."""
import re
import subprocess
import tomllib

import pytest
import yaml

from harness import pinned_tool
from ops_support import ROOT

WORKFLOW_DIR = ROOT / ".github" / "workflows"
ACTIONS_DIR = ROOT / ".github" / "actions"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yaml"))
LOCAL_ACTIONS = sorted(ACTIONS_DIR.glob("*/action.yml"))
# Workflows that build the pinned tools through the shared set-up action.
TOOL_WORKFLOWS = ["validate", "diff-comment", "drift", "rendered"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_is_valid_and_pinned(path):
    data = yaml.safe_load(path.read_text())
    assert data["jobs"] and data["permissions"]
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" in step and not step["uses"].startswith("./.github/actions/"):
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_actionlint():
    actionlint = pinned_tool("actionlint")
    proc = subprocess.run([str(actionlint), "-shellcheck=", "-pyflakes=",
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOW_DIR / f"{name}.yaml").read_text())


def _steps(name: str) -> list[dict]:
    return [step for job in _workflow(name)["jobs"].values() for step in job["steps"]]


def _action(name: str) -> dict:
    return yaml.safe_load((ACTIONS_DIR / name / "action.yml").read_text())


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@pytest.mark.parametrize("path", LOCAL_ACTIONS, ids=lambda p: p.parent.name)
def test_local_actions_pin_their_actions(path):
    for step in _action(path.parent.name)["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


@pytest.mark.parametrize("name", TOOL_WORKFLOWS)
def test_checkout_never_persists_the_token(name):
    data = _workflow(name)
    for job in data["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert (step.get("with") or {}).get("persist-credentials") is False, name


def test_go_is_new_enough_for_every_pinned_module():
    """setup-go's version satisfies the highest `go` directive among the pinned modules'
    go.mod files (prometheus v0.316.0: go 1.26.7), which `go install` enforces."""
    tools = tomllib.loads((ROOT / "tools.toml").read_text())["tools"]
    assert tools["promtool"]["version"] == "v0.316.0", "re-read the go directives on a bump"
    setup_go = next(step for step in _action("setup")["runs"]["steps"]
                    if step.get("uses", "").startswith("actions/setup-go@"))
    assert _version(str(setup_go["with"]["go-version"])) >= (1, 26, 7)


@pytest.mark.parametrize("name", TOOL_WORKFLOWS)
def test_tool_workflows_use_the_shared_setup(name):
    steps = _steps(name)
    assert any(step.get("uses") == "./.github/actions/setup" and step.get("id") == "setup"
               for step in steps), name
    assert not any(step.get("uses", "").startswith(("actions/setup-go@", "actions/cache@"))
                   for step in steps), f"{name} sets up Go or caches outside the shared action"


@pytest.mark.parametrize("name", ["validate", "diff-comment", "drift"])
def test_tool_caches_are_saved_even_when_the_job_fails(name):
    save = [step for step in _steps(name) if step.get("uses") == "./.github/actions/save-caches"]
    assert len(save) == 1, name
    assert save[0]["if"].startswith("always()"), save[0]["if"]
    assert save[0]["with"]["key"] == "${{ steps.setup.outputs.cache-key }}"


def test_restore_and_save_use_the_same_paths_and_a_key_on_tools_toml():
    restore = next(s for s in _action("setup")["runs"]["steps"] if s.get("id") == "restore")
    save = _action("save-caches")["runs"]["steps"][0]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    assert restore["with"]["path"] == save["with"]["path"]
    assert ".tools" in restore["with"]["path"].split()
    # The key changes with every input of a tool build: the pins and the committed modules.
    hashed = re.search(r"hashFiles\(([^)]*)\)", restore["with"]["key"])
    assert hashed, restore["with"]["key"]
    inputs = {part.strip().strip("'") for part in hashed.group(1).split(",")}
    assert {"tools.toml", "tools/go/**/go.mod", "tools/go/**/go.sum"} <= inputs
    assert "${{ inputs.stage }}" in restore["with"]["key"]


def test_diff_comment_runs_for_every_input_of_the_render():
    paths = _workflow("diff-comment")[True]["pull_request"]["paths"]  # YAML 1.1 reads `on` as True
    for directory in ("overlays", "base", "charts", "catalog", "gitops", "monitoring",
                      "policies", "config"):
        assert f"{directory}/**" in paths, directory


def test_rendered_workflow_pushes_the_branch_flux_tracks():
    data = _workflow("rendered")
    assert data[True]["push"]["branches"] == ["main"]
    assert data["permissions"] == {"contents": "read"}
    (job,) = data["jobs"].values()
    assert job["permissions"] == {"contents": "write"}
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "scripts/render --env" in script and '--out "$TREE/rendered"' in script
    assert "HEAD:refs/heads/rendered" in script and "push --force" in script
    for env in ("dev", "staging", "prod"):
        source = yaml.safe_load_all((ROOT / "gitops" / "flux" / env / "source.yaml").read_text())
        repository = next(d for d in source if d and d["kind"] == "GitRepository")
        assert repository["spec"]["ref"]["branch"] == "rendered"
        assert f"!/rendered/{env}/" in repository["spec"]["ignore"]
