"""Promotion refuses what would fail before touching anything, and stops cleanly when it must."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ops_support import PYTHON, TOOLS_BIN, git

DEV = "overlays/dev/web/kustomization.yaml"
STAGING = "overlays/staging/web/kustomization.yaml"
PROD = "overlays/prod/web/kustomization.yaml"
DIGEST = "sha256:" + "5b" * 32


def require_digests(tree: Path, env: str) -> None:
    path = tree / "overlays" / env / "env.yaml"
    path.write_text(path.read_text() + "images:\n  requireDigest: true\n")


def test_missing_digest_is_refused_by_name_before_editing(tree, cli):
    require_digests(tree, "staging")
    before = (tree / STAGING).read_bytes()
    for extra in ((), ("--dry-run",)):
        result = cli(tree, "promote", "dev", "staging", "--app", "web", *extra)
        assert result.code == 1, result
        assert "promotion refused: staging requires image digests; nothing was changed" in (
            result.stderr)
        assert "web 1.5.0-rc.1 has no digest in dev" in result.stderr
        assert "scripts/release web 1.5.0-rc.1 --digest sha256:<digest> --env dev" in (
            result.stderr)
        assert f"{DEV}:12:" in result.stderr  # the line of the tag that lacks its digest
        assert result.stdout == ""  # nothing was rendered
        assert (tree / STAGING).read_bytes() == before


def test_promoting_every_app_keeps_prod_digests(tree, cli):
    require_digests(tree, "prod")
    staging = tree / STAGING
    staging.write_text(staging.read_text().replace("newTag: 1.4.2", "newTag: 1.4.3"))
    # staging runs 1.4.3 without a digest: prod's digest belongs to 1.4.2 and cannot stay.
    result = cli(tree, "promote", "staging", "prod")
    assert result.code == 1, result
    assert "web 1.4.3 has no digest in staging" in result.stderr
    assert "sha256:6f1e" in (tree / PROD).read_text()


def test_a_dry_run_validates_and_says_it_would_fail(tree, cli):
    dev = tree / DEV
    dev.write_text(dev.read_text().replace("newTag: 1.5.0-rc.1",
                                           "newTag: 1.5.0-rc.1\n    digest: sha256:nothex"))
    before = (tree / STAGING).read_bytes()
    result = cli(tree, "promote", "dev", "staging", "--dry-run")
    assert result.code == 1, result
    assert "dry run: validation of staging would fail" in result.stderr
    assert "digests.well-formed" in result.stderr
    assert (tree / STAGING).read_bytes() == before


def test_release_pairs_move_together_to_prod(tree, cli):
    require_digests(tree, "staging")
    require_digests(tree, "prod")
    assert cli(tree, "release", "web", "1.6.0", "--digest", DIGEST).code == 0
    for source, target in (("dev", "staging"), ("staging", "prod")):
        result = cli(tree, "promote", source, target, "--app", "web")
        assert result.code == 0, result
        assert f"ghcr.io/marty-platform/web:1.6.0@{DIGEST}" in result.stdout
    prod = (tree / PROD).read_text()
    assert f"newTag: 1.6.0\n    digest: {DIGEST}\n" in prod
    assert 'app.kubernetes.io/version: "1.6.0"' in prod


def test_malformed_kustomizations_are_named_not_crashed_on(tree, cli):
    staging = tree / STAGING
    original = staging.read_text()
    cases = {
        "duplicate key": original + "namespace: marty-prod\n",
        "a mapping, not a list": "- name: web\n- name: api\n",
        "must be a list of image mappings": original.replace(
            "images:\n  # the web server image\n  - name: ghcr.io/marty-platform/web\n"
            "    newTag: 1.4.2\n", "images: ghcr.io/marty-platform/web:1.4.2\n"),
    }
    for message, text in cases.items():
        staging.write_text(text)
        result = cli(tree, "promote", "dev", "staging", "--dry-run")
        assert result.code == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {STAGING}:"), result
        assert message in lines[0] and "internal error" not in lines[0]


def _tool_children(pid: int) -> set[str]:
    """Names of the tools the process runs right now (children in /proc)."""
    names = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if entry.name.isdigit() and int(fields[1]) == pid:
            names.add(stat[stat.index("(") + 1:stat.rindex(")")])
    return names


def test_sigterm_during_promotion_leaves_files_and_no_scratch(tree, ops_cache, tmp_path):
    # SIGTERM while validation runs its policy tools: the target overlay must be as it was
    # and no scratch tree left behind, as after Ctrl-C.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = (tree / STAGING).read_bytes()
    # The renders may come from the shared cache, the checks' results may not: a cached verdict
    # would start no policy tool to interrupt.
    cache = tmp_path / "cache"
    shutil.copytree(ops_cache, cache, ignore=shutil.ignore_patterns("results", "scans"))
    env = {**os.environ, "MARTY_CACHE_DIR": str(cache), "MARTY_TOOLS_BIN": str(TOOLS_BIN),
           "TMPDIR": str(scratch)}
    proc = subprocess.Popen([str(PYTHON if PYTHON.exists() else sys.executable), "-m",
                             "marty_platform", "promote", "dev", "staging"], cwd=tree, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if _tool_children(proc.pid) & {"conftest", "kubeconform"}:
            proc.send_signal(signal.SIGTERM)
            break
        time.sleep(0.005)
    else:
        proc.kill()
        raise AssertionError("promotion ended before validation could be interrupted")
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert (tree / STAGING).read_bytes() == before
    assert not [p for p in scratch.iterdir() if p.name.startswith("marty-")]


NO_IDENTITY = {"GIT_AUTHOR_NAME": "", "GIT_AUTHOR_EMAIL": "", "GIT_COMMITTER_NAME": "",
               "GIT_COMMITTER_EMAIL": "", "GIT_CONFIG_GLOBAL": os.devnull,
               "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_COUNT": "1",
               "GIT_CONFIG_KEY_0": "user.useConfigOnly", "GIT_CONFIG_VALUE_0": "true"}


def test_commit_without_git_identity_changes_nothing(git_tree, cli):
    result = cli(git_tree, "promote", "dev", "staging", "--commit", env=NO_IDENTITY)
    assert result.code == 2, result
    assert "git has no identity" in result.stderr and "Nothing was changed" in result.stderr
    assert git(git_tree, "branch", "--show-current").strip() == "main"
    assert git(git_tree, "branch", "--list").split() == ["*", "main"]
    assert git(git_tree, "status", "--porcelain") == ""


def test_commit_branch_starts_from_the_base_branch(git_tree, cli):
    main = git(git_tree, "rev-parse", "main").strip()
    git(git_tree, "switch", "--quiet", "-c", "feature")
    (git_tree / "notes.txt").write_text("unrelated work\n")
    git(git_tree, "add", "notes.txt")
    git(git_tree, "commit", "--quiet", "-m", "unrelated work")
    (git_tree / "notes.txt").write_text("uncommitted\n")

    result = cli(git_tree, "promote", "dev", "staging", "--app", "web", "--commit")
    assert result.code == 0, result
    branch = "promote/dev-to-staging/web"
    assert git(git_tree, "rev-parse", f"{branch}~1").strip() == main
    # the checkout is untouched: same branch, same uncommitted file, nothing staged
    assert git(git_tree, "branch", "--show-current").strip() == "feature"
    assert git(git_tree, "status", "--porcelain").strip() == "M notes.txt"

    again = cli(git_tree, "promote", "dev", "staging", "--app", "web", "--commit",
                "--base", "feature")
    assert again.code == 0, again
    assert git(git_tree, "rev-parse", f"{branch}-2~1").strip() == git(
        git_tree, "rev-parse", "feature").strip()


def test_failed_commit_promotion_leaves_no_branch_or_worktree(git_tree, cli):
    dev = git_tree / DEV
    dev.write_text(dev.read_text().replace("newTag: 1.5.0-rc.1",
                                           "newTag: 1.5.0-rc.1\n    digest: sha256:nothex"))
    git(git_tree, "commit", "--quiet", "-am", "a broken release")
    result = cli(git_tree, "promote", "dev", "staging", "--commit")
    assert result.code == 1, result
    assert git(git_tree, "branch", "--list").split() == ["*", "main"]
    assert len(git(git_tree, "worktree", "list").splitlines()) == 1
    assert git(git_tree, "status", "--porcelain") == ""
