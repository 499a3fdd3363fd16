"""The release workflow scans each new image with the pinned grype, by its digest, before
`scripts/release` records it: the scanner is installed by the repo's bootstrap at the version
tools.toml pins (a stage neither `make bootstrap` nor `make test` builds), the scan fails on high
severity, and no step may let a failed scan through to the release."""
from __future__ import annotations

import re
import tomllib

import yaml

from harness import ROOT

WORKFLOW = ROOT / ".github/workflows/release.yaml"


def _steps() -> list[dict]:
    [job] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"].values()
    return job["steps"]


def _index(steps: list[dict], pattern: str) -> int:
    found = [i for i, step in enumerate(steps) if re.search(pattern, step.get("run", ""))]
    assert len(found) == 1, (pattern, found)
    return found[0]


def test_grype_is_pinned_in_a_stage_only_the_release_workflow_builds():
    from marty_platform.tools.manifest import load_manifest, stages_for

    grype = load_manifest(ROOT / "tools.toml").tools["grype"]
    assert (grype.module, grype.package) == ("github.com/anchore/grype", "cmd/grype")
    assert re.fullmatch(r"v\d+\.\d+\.\d+", grype.version)
    assert grype.stage not in stages_for("validate") + stages_for("test")
    assert grype.stage in stages_for(grype.stage)
    raw = tomllib.loads((ROOT / "tools.toml").read_text())["tools"]["grype"]
    assert "gomod" not in raw, "grype's go.mod has no replace: plain go install"


def test_the_image_is_scanned_by_digest_before_the_release_is_recorded():
    steps = _steps()
    stage = load_stage()
    install = _index(steps, rf"^scripts/bootstrap (--stage {stage}|--tool grype)\s*$")
    scan = _index(steps, r"\.tools/bin/grype ")
    record = _index(steps, r"(^|\n)\s*scripts/release ")
    assert install < scan < record
    scan_step = steps[scan]
    command = next(line for line in scan_step["run"].splitlines() if ".tools/bin/grype" in line)
    assert '"registry:${IMAGE}@${DIGEST}"' in command
    assert re.search(r"--fail-on (high|medium|low|negligible)\b", command)
    assert scan_step["env"]["DIGEST"] == steps[record]["env"]["DIGEST"]
    # A step between the scan and the release that could swallow a failed scan: none.
    for step in steps[install:record + 1]:
        assert not step.get("continue-on-error"), step.get("name")
        assert "if" not in step, step.get("name")
    assert "|| true" not in scan_step["run"] and "set +e" not in scan_step["run"]


def load_stage() -> str:
    return tomllib.loads((ROOT / "tools.toml").read_text())["tools"]["grype"]["stage"]
