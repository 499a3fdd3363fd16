"""scripts/release: a version and its digest recorded together in an env's overlay."""
import yaml

from ops_support import ROOT, git

DEV = "overlays/dev/web/kustomization.yaml"
DIGEST = "sha256:" + "0d" * 32


def test_release_records_tag_digest_and_version_label(tree, cli):
    result = cli(tree, "release", "web", "1.6.0", "--digest", DIGEST)
    assert result.code == 0, result
    text = (tree / DEV).read_text()
    assert f"    newTag: 1.6.0\n    digest: {DIGEST}\n" in text
    assert 'app.kubernetes.io/version: "1.6.0"' in text
    assert "value: debug" in text  # the rest of the overlay is left as it was
    assert "### Release web 1.6.0 to dev" in result.stdout
    assert f"ghcr.io/marty-platform/web:1.6.0@{DIGEST}" in result.stdout
    assert "dev/web: ghcr.io/marty-platform/web: digest (unset) → " in result.stderr

    again = cli(tree, "release", "web", "1.6.0", "--digest", DIGEST)
    assert again.code == 0 and "already runs 1.6.0" in again.stderr


def test_release_into_a_chart_based_overlay_keeps_comments_and_quotes_numbers(tree, cli):
    path = tree / "overlays" / "dev" / "api" / "kustomization.yaml"
    path.parent.mkdir()
    path.write_text("# api in dev\napiVersion: kustomize.config.k8s.io/v1beta1\n"
                    "kind: Kustomization\nhelmCharts:\n  - name: microservice\n"
                    "    releaseName: api\n    valuesInline:\n      image:\n"
                    "        tag: 1.9.0  # the image this env runs\n")
    from marty_platform.release import plan
    from marty_platform.repo import Repo

    change = plan(Repo(tree), "api", "1.10", DIGEST, "dev")
    text = change.edits[0].updated.decode()
    assert text.startswith("# api in dev\n")
    assert '        tag: "1.10" # the image this env runs\n' in text
    assert text.endswith(f"        digest: {DIGEST}\n")
    assert yaml.safe_load(text)["helmCharts"][0]["valuesInline"]["image"]["tag"] == "1.10"


def test_release_refuses_bad_input_in_one_line(tree, cli):
    before = (tree / DEV).read_bytes()
    cases = [
        (("web", "1.6.0", "--digest", "sha256:abc"), "not a digest"),
        (("web", "1.6.0", "--digest", "sha256:" + "AB" * 32), "not a digest"),
        (("web", "1.6.0", "--digest", "sha512:" + "ab" * 32), "not a digest"),
        (("web", "1.6.0", "--digest", "ab" * 32), "not a digest"),
        (("web", "latest", "--digest", DIGEST), "not a release tag"),
        (("web", "1.6.0/x", "--digest", DIGEST), "not a release tag"),
        (("nope", "1.6.0", "--digest", DIGEST), "unknown app 'nope' in dev"),
        (("web", "1.6.0", "--digest", DIGEST, "--env", "qa"), "unknown env 'qa'"),
        # prod takes new versions only by promotion
        (("web", "1.6.0", "--digest", DIGEST, "--env", "prod"), "prod/web runs 1.4.2"),
    ]
    for args, message in cases:
        result = cli(tree, "release", *args)
        assert result.code == 2, (args, result)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, result)
    assert (tree / DEV).read_bytes() == before


def test_release_commit_opens_a_branch_from_main(git_tree, cli):
    result = cli(git_tree, "release", "web", "1.6.0", "--digest", DIGEST, "--commit")
    assert result.code == 0, result
    branch = "release/dev/web-1.6.0"
    assert git(git_tree, "rev-parse", f"{branch}~1") == git(git_tree, "rev-parse", "main")
    assert git(git_tree, "log", "-1", "--format=%s", branch).strip() == (
        "Release web 1.6.0 to dev")
    assert DIGEST in git(git_tree, "show", f"{branch}:{DEV}")
    assert git(git_tree, "branch", "--show-current").strip() == "main"
    assert git(git_tree, "status", "--porcelain") == ""


def test_release_and_promote_workflows_open_pull_requests_with_an_app_token():
    # A pull request opened with GITHUB_TOKEN starts no workflows: it would get no checks.
    for name in ("release", "promote"):
        text = (ROOT / ".github" / "workflows" / f"{name}.yaml").read_text()
        data = yaml.safe_load(text)
        steps = data["jobs"][name]["steps"]
        assert steps[0]["with"]["persist-credentials"] is False
        token = next(s for s in steps if "create-github-app-token" in s.get("uses", ""))
        # The token gets only what opening a pull request needs.
        assert token["with"]["permission-contents"] == "write"
        assert token["with"]["permission-pull-requests"] == "write"
        assert set(token["with"]) == {"app-id", "private-key", "permission-contents",
                                      "permission-pull-requests"}
        opener = next(s for s in steps if "gh pr create" in s.get("run", ""))
        assert opener["env"]["GH_TOKEN"] == "${{ steps.token.outputs.token }}"
        assert "github.token" not in text and "secrets.GITHUB_TOKEN" not in text
        assert data["permissions"] == {"contents": "read"}


def test_release_in_staging_records_the_digest_of_the_running_version(tree, cli):
    result = cli(tree, "release", "web", "1.4.2", "--digest", DIGEST, "--env", "staging")
    assert result.code == 0, result
    text = (tree / "overlays/staging/web/kustomization.yaml").read_text()
    assert f"    newTag: 1.4.2\n    digest: {DIGEST}\n" in text
