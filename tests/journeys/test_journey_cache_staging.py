"""Cached policy verdicts follow the object, not the staged file it was in.

A whole-env run and a path-mode run stage the same objects under different numbers (path mode
stages the rest of the env apart, as context). A verdict cached by one run and given back in the
other must name the object it was about: each run's report equals the report of a run with an
empty cache, in both orders. Before, a whole-env run's cached verdict on a ClusterRoleBinding came
back in path mode as a finding on a HelmRelease, which its waiver then did not match.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from harness import ROOT, copy_checkout, tool_env

ENV = "dev"
CHOSEN = ("overlays/dev/trust-anchor", "overlays/dev/platform-monitoring",
          "overlays/dev/gitops-flux")


def _validate(repo: Path, cache: Path, *paths: str) -> dict:
    proc = subprocess.run([str(ROOT / "scripts" / "validate"), "--format", "json", "--env", ENV,
                           *paths], cwd=repo,
                          env={**tool_env(cache), "MARTY_CACHE_DIR": str(cache)},
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    # Secret values are redacted with a key drawn per process: the same value, another marker.
    return json.loads(re.sub(r"<redacted:[0-9a-f]+>", "<redacted>", proc.stdout))


def test_verdicts_cached_by_a_whole_env_run_and_by_a_path_run_serve_each_other(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    whole_first, path_first = tmp_path / "whole-first", tmp_path / "path-first"

    whole_cold = _validate(repo, whole_first)
    path_cold = _validate(repo, path_first, *CHOSEN)
    assert _validate(repo, whole_first, *CHOSEN) == path_cold
    assert _validate(repo, path_first) == whole_cold
    assert path_cold["ok"] and whole_cold["ok"], (path_cold, whole_cold)
