"""The README's "Changing a service, and promoting it": release into dev, promote to staging, then
to prod, each step a commit on its own branch that is merged like a reviewed pull request."""
from __future__ import annotations

from pathlib import Path

import yaml

from journey_support import GIT_IDENTITY, git

DIGEST = "sha256:3c9e0a51d8b27f46e1a0c5d93b7f28e64a1d0c9b5e7f3a2d8c6b4e1f0a9d7c35"
NEW_DIGEST = "sha256:a7d1c3e5f9b2046e8d1c3a5f7b9e0d2c4a6f8b1d3e5c7a9f0b2d4e6a8c1e3f5d"


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


def test_a_new_service_has_no_prod_digest_until_released(journey_repo, run_cli):
    repo = journey_repo
    catalog = repo / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text() + (
        "  - name: visa-engine\n    description: Issues visa data.\n    protocol: grpc\n"
        "    port: 8095\n    team: issuance\n    database: false\n"
        "    dependencies: [trust-anchor]\n"))
    generated = run_cli("generate", cwd=repo, env=GIT_IDENTITY)
    assert generated.code == 0, generated.stderr
    for env in ("dev", "staging", "prod"):
        assert image_of(repo, env, "visa-engine") == {"tag": "1.0.0"}  # no invented digest

    refused = run_cli("validate", "--format", "json", "overlays/prod/visa-engine", cwd=repo,
                      env=GIT_IDENTITY)
    assert refused.code == 1
    messages = {f["message"] for f in refused.findings(rule="images.digest-pinned")}
    assert messages and all("pin a digest with `scripts/release visa-engine 1.0.0 --digest"
                            in m for m in messages), messages

    # Promotion says so by name before editing anything, and so does its dry run.
    blocked = run_cli("promote", "dev", "staging", "--app", "visa-engine", "--dry-run", cwd=repo,
                      env=GIT_IDENTITY)
    assert blocked.code == 1
    assert "visa-engine 1.0.0 has no digest in dev, and staging requires one" in blocked.stderr

    for command in (("release", "visa-engine", "1.0.0", "--digest", NEW_DIGEST),
                    ("promote", "dev", "staging", "--app", "visa-engine"),
                    ("promote", "staging", "prod", "--app", "visa-engine")):
        outcome = run_cli(*command, cwd=repo, env=GIT_IDENTITY)
        assert outcome.code == 0, (command, outcome.stderr[-3000:])
    assert image_of(repo, "prod", "visa-engine") == {"tag": "1.0.0", "digest": NEW_DIGEST}
    pinned = run_cli("validate", "--format", "json", "overlays/prod/visa-engine", cwd=repo,
                     env=GIT_IDENTITY)
    assert not pinned.findings(rule="images.digest-pinned"), pinned.stdout[-3000:]
