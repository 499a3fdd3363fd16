"""`scripts/diff` with a warm cache renders only what the change made new: the base ref's
overlays are read from a worktree of that ref, and render-cache keys hold repo-relative names and
file contents, never where the tree lies, so the unchanged base render is a hit."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from harness import ROOT, tool_env
from journey_support import git

KEPT = {"trust-anchor", "platform-namespaces"}


def _run(repo: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(ROOT / "scripts" / args[0]), *args[1:]], cwd=repo,
                          env={**tool_env(cache), "MARTY_CACHE_DIR": str(cache)},
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def test_a_diff_changing_one_overlay_renders_one_overlay(journey_repo, tmp_path):
    for overlay in (journey_repo / "overlays").glob("*/*/"):
        if overlay.parent.name != "dev" or overlay.name not in KEPT:
            shutil.rmtree(overlay)
    git(journey_repo, "add", "--all")
    git(journey_repo, "commit", "--quiet", "--message", "two overlays")
    cache = tmp_path / "cache"
    _run(journey_repo, cache, "validate", "overlays/dev")
    renders = set((cache / "render").glob("*.json"))
    assert len(renders) == 2

    kustomization = journey_repo / "overlays/dev/trust-anchor/kustomization.yaml"
    text = kustomization.read_text(encoding="utf-8")
    kustomization.write_text(text.replace("tag: ", "tag: 9.9.9-", 1), encoding="utf-8")
    diff = _run(journey_repo, cache, "diff", "--base", "HEAD", "--format", "json")

    assert "9.9.9-" in diff.stdout
    assert len(set((cache / "render").glob("*.json")) - renders) == 1
