import subprocess

from ops_support import git

STAGING = "overlays/staging/web/kustomization.yaml"


def test_dry_run_shows_diff_and_touches_nothing(tree, cli):
    before = (tree / STAGING).read_bytes()
    result = cli(tree, "promote", "dev", "staging", "--app", "web", "--dry-run")
    assert result.code == 0, result
    assert (tree / STAGING).read_bytes() == before
    assert result.stdout.startswith("<!-- marty-diff -->")
    assert "### Promote web from dev to staging" in result.stdout
    assert "ghcr.io/marty-platform/web:1.5.0-rc.1" in result.stdout
    assert "spec.replicas" not in result.stdout  # env-specific settings are not promoted
    assert "LOG_LEVEL" not in result.stdout


def test_promotion_edits_versions_and_keeps_comments(tree, cli):
    result = cli(tree, "promote", "dev", "staging")
    assert result.code == 0, result
    text = (tree / STAGING).read_text()
    assert "# Pinned by promotion from dev; see docs/operations.md.\n" in text
    assert "  # the web server image\n" in text
    assert "newTag: 1.5.0-rc.1" in text and 'app.kubernetes.io/version: "1.5.0-rc.1"' in text
    assert "count: 2" in text and "namespace: marty-staging" in text
    # Round trip: promoting again changes nothing.
    again = cli(tree, "promote", "dev", "staging")
    assert again.code == 0 and "nothing to promote" in again.stderr
    assert (tree / STAGING).read_text() == text


def test_staging_to_prod_keeps_the_digest_of_the_same_release(tree, cli):
    # staging states 1.4.2 without a digest; prod's digest is the record of that same release,
    # so promoting changes nothing instead of stripping it.
    before = (tree / "overlays/prod/web/kustomization.yaml").read_bytes()
    result = cli(tree, "promote", "staging", "prod")
    assert result.code == 0, result
    assert "nothing to promote" in result.stderr
    assert (tree / "overlays/prod/web/kustomization.yaml").read_bytes() == before


def test_only_dev_to_staging_and_staging_to_prod(tree, cli):
    for pair in (("dev", "prod"), ("prod", "staging"), ("staging", "dev")):
        result = cli(tree, "promote", *pair, "--dry-run")
        assert result.code == 2, result
    assert "prod accepts only from staging" in cli(tree, "promote", "dev", "prod").stderr
    assert cli(tree, "promote", "dev", "staging", "--app", "nope").code == 2


def test_validation_failure_changes_nothing(tree, cli):
    # The promoted digest is malformed: validation of staging fails and the file is untouched.
    dev = tree / "overlays" / "dev" / "web" / "kustomization.yaml"
    dev.write_text(dev.read_text().replace("newTag: 1.5.0-rc.1",
                                           "newTag: 1.5.0-rc.1\n    digest: not-a-digest"))
    before = (tree / STAGING).read_bytes()
    result = cli(tree, "promote", "dev", "staging")
    assert result.code == 1, result
    assert "validation of staging failed; nothing was changed" in result.stderr
    assert "digests.well-formed" in result.stderr
    assert (tree / STAGING).read_bytes() == before


def test_commit_creates_branch_and_commit(git_tree, cli):
    result = cli(git_tree, "promote", "dev", "staging", "--commit")
    assert result.code == 0, result
    assert "committed on branch promote/dev-to-staging/web" in result.stderr
    # The checkout stays as it was; the branch holds the one commit.
    assert git(git_tree, "branch", "--show-current").strip() == "main"
    assert git(git_tree, "status", "--porcelain").strip() == ""
    message = git(git_tree, "log", "-1", "--format=%B", "promote/dev-to-staging/web")
    assert message.startswith("Promote web from dev to staging") and "<details>" in message
    assert git(git_tree, "diff", "--name-only", "main", "promote/dev-to-staging/web").split() == [
        STAGING]
    assert subprocess.run(["git", "remote"], cwd=git_tree, capture_output=True,
                          text=True).stdout == ""


def test_chart_based_overlay_promotes_inline_image_and_chart_version(tmp_path):
    from marty_platform import overlay_doc
    from marty_platform.promote import plan_app
    from marty_platform.repo import Overlay, Repo

    chart = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
             "# the image this env runs\nhelmCharts:\n- name: microservice\n"
             "  releaseName: web\n  version: {version}\n  valuesInline:\n    image:\n"
             "      tag: {tag}  # promoted\n    replicas: {replicas}\n")
    for env, tag, version, replicas in (("dev", "2.0.0", "0.2.0", 1),
                                        ("staging", "1.9.0", "0.1.0", 3)):
        (tmp_path / env).mkdir()
        (tmp_path / env / "kustomization.yaml").write_text(
            chart.format(tag=tag, version=version, replicas=replicas))
    repo = Repo(tmp_path)
    edit, problems = plan_app(overlay_doc.load(repo, Overlay("dev", "web", tmp_path / "dev")),
                              overlay_doc.load(repo, Overlay("staging", "web",
                                                             tmp_path / "staging")), False)
    assert not problems
    assert edit.updated.decode() == chart.format(tag="2.0.0", version="0.2.0", replicas=3)
