"""The README's "Changing a service, and promoting it": release into dev, promote to staging, then
to prod, each step a commit on its own branch that is merged like a reviewed pull request."""
from __future__ import annotations

from pathlib import Path

import yaml

from journey_support import GIT_IDENTITY, git

DIGEST = "sha256:3c9e0a51d8b27f46e1a0c5d93b7f28e64a1d0c9b5e7f3a2d8c6b4e1f0a9d7c35"


def merge(repo: Path, branch: str) -> None:
    """What merging the pull request does: main moves to the branch's commit."""
    assert git(repo, "branch", "--show-current").strip() == "main"
    git(repo, "merge", "--quiet", "--ff-only", branch)


def image_of(repo: Path, env: str, app: str) -> dict:
    data = yaml.safe_load((repo / "overlays" / env / app / "kustomization.yaml").read_text())
    return data["helmCharts"][0]["valuesInline"]["image"]


def test_release_then_promote_to_prod(journey_repo, run_cli):
    repo = journey_repo

    def step(command: str, *args: str):
        outcome = run_cli(command, *args, cwd=repo, env=GIT_IDENTITY)
        assert outcome.code == 0, (command, args, outcome.stdout[-3000:], outcome.stderr[-3000:])
        return outcome

    # 1. The image-build pipeline releases trust-anchor 1.6.0 into dev (release.yaml).
    released = step("release", "trust-anchor", "1.6.0", "--digest", DIGEST, "--commit")
    assert "committed on branch release/dev/trust-anchor-1.6.0" in released.stderr
    assert released.stdout.startswith("<!-- marty-diff -->")
    merge(repo, "release/dev/trust-anchor-1.6.0")
    assert image_of(repo, "dev", "trust-anchor") == {"tag": "1.6.0", "digest": DIGEST}
    step("validate", "overlays/dev/")

    # 2. dev → staging, then 3. staging → prod, each through its own promotion branch.
    for source, target in (("dev", "staging"), ("staging", "prod")):
        before = git(repo, "rev-parse", "main").strip()
        promoted = step("promote", source, target, "--app", "trust-anchor", "--commit")
        branch = f"promote/{source}-to-{target}/trust-anchor"
        assert f"committed on branch {branch}" in promoted.stderr
        assert f"### Promote trust-anchor from {source} to {target}" in promoted.stdout
        assert f"ghcr.io/marty-platform/trust-anchor:1.6.0@{DIGEST}" in promoted.stdout
        assert git(repo, "rev-parse", f"{branch}~1").strip() == before
        assert git(repo, "diff", "--name-only", "main", branch).split() == [
            f"overlays/{target}/trust-anchor/kustomization.yaml"]
        merge(repo, branch)
        assert image_of(repo, target, "trust-anchor") == {"tag": "1.6.0", "digest": DIGEST}
        step("validate", f"overlays/{target}/")

    rendered = step("render", "--env", "prod", "--app", "trust-anchor").stdout
    objects = [o for o in yaml.safe_load_all(rendered) if o]
    rollout = next(o for o in objects if o["kind"] == "Rollout")
    images = {c["image"] for c in rollout["spec"]["template"]["spec"]["containers"]}
    assert images == {f"ghcr.io/marty-platform/trust-anchor:1.6.0@{DIGEST}"}
    assert git(repo, "status", "--porcelain") == ""
