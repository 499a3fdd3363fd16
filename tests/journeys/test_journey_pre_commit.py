"""Pre-commit: `pre-commit install` in a clone makes every commit run `scripts/validate` on the
committed files, with the repo's own .pre-commit-config.yaml and the real pre-commit."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from harness import ROOT, tool_env


def test_the_pre_commit_hook_validates_the_staged_files(journey_repo, cache_dir, tmp_path):
    """The real pre-commit, with the repo's own config, on a commit that breaks a profile."""
    hooks = yaml.safe_load((journey_repo / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["marty-validate"]
    profile = journey_repo / "base" / "profiles" / "prod.yaml"
    text = profile.read_text()
    assert "\nreplicaCount: 3\n" in text
    profile.write_text(text.replace("\nreplicaCount: 3\n", "\nreplicaCount: many\n", 1))
    subprocess.run(["git", "add", "base/profiles/prod.yaml"], cwd=journey_repo, check=True)
    if not (journey_repo / ".venv").exists():  # what `make bootstrap` creates in a clone
        (journey_repo / ".venv").symlink_to(ROOT / ".venv")
    env = {**tool_env(cache_dir), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "marty-validate"],
                          cwd=journey_repo, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # The prod overlays render with the broken profile, and the chart's schema refuses it, at the
    # profile's field.
    assert "kustomize/values-schema" in proc.stdout and "replicaCount" in proc.stdout
    assert "base/profiles/prod.yaml:" in proc.stdout

    # A commit that touches nothing a check reads does not run the hook at all.
    subprocess.run(["git", "reset", "--quiet"], cwd=journey_repo, check=True, env=env)
    subprocess.run(["git", "checkout", "--quiet", "--", "base/profiles/prod.yaml"],
                   cwd=journey_repo, check=True)
    (journey_repo / "README.md").write_text("# edited\n")
    subprocess.run(["git", "add", "README.md"], cwd=journey_repo, check=True)
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "marty-validate"],
                          cwd=journey_repo, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no files to check" in proc.stdout.lower(), proc.stdout
