import json

from ops_support import git


def _reorder_base(tree):
    """A pure reordering: env vars and ports swapped, keys moved. Renders to the same objects."""
    path = tree / "base" / "web" / "deployment.yaml"
    text = path.read_text()
    ports = ("            - name: grpc\n              containerPort: 8080\n"
             "            - name: metrics\n              containerPort: 9090\n")
    assert ports in text
    text = text.replace(ports, "            - name: metrics\n              containerPort: 9090\n"
                               "            - name: grpc\n              containerPort: 8080\n")
    text = text.replace("          env:\n            - name: LOG_LEVEL\n              value: info\n",
                        "          env:\n            - name: LOG_LEVEL\n              value: info\n"
                        "            - name: MODE\n              value: grpc\n")
    path.write_text(text)


def test_ref_diff_reports_exactly_the_injected_change(git_tree, cli):
    _reorder_base(git_tree)
    git(git_tree, "commit", "--quiet", "-am", "add MODE")
    # Second commit: reorder the ports back (no change) and bump the dev image (one change).
    path = git_tree / "base" / "web" / "deployment.yaml"
    text = path.read_text()
    text = text.replace("            - name: metrics\n              containerPort: 9090\n"
                        "            - name: grpc\n              containerPort: 8080\n",
                        "            - name: grpc\n              containerPort: 8080\n"
                        "            - name: metrics\n              containerPort: 9090\n")
    path.write_text(text)
    kustomization = git_tree / "overlays" / "dev" / "web" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("newTag: 1.5.0-rc.1",
                                                               "newTag: 1.5.0-rc.2"))
    git(git_tree, "commit", "--quiet", "-am", "bump dev")

    result = cli(git_tree, "diff", "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    assert result.code == 1, result
    report = json.loads(result.stdout)
    changed = [(a["env"], a["app"], r["kind"], c["path"], c["before"], c["after"])
               for a in report["apps"] for r in a["resources"] for c in r["changes"]]
    assert changed == [("dev", "web", "Deployment", "spec.template.spec.containers[web].image",
                        "ghcr.io/marty-platform/web:1.5.0-rc.1",
                        "ghcr.io/marty-platform/web:1.5.0-rc.2")]
    assert report["risks"][0]["message"].startswith("image changed (web)")
    # Every env was affected (the base changed) and rendered at both refs.
    assert sorted(a["env"] for a in report["apps"]) == ["dev", "prod", "staging"]
    assert git(git_tree, "worktree", "list").count("\n") == 1  # temporary worktrees are gone


def test_pure_reordering_is_no_difference(git_tree, cli):
    _reorder_base(git_tree)
    git(git_tree, "commit", "--quiet", "-am", "add MODE")
    path = git_tree / "base" / "web" / "deployment.yaml"
    text = path.read_text().replace("  replicas: 1\n  revisionHistoryLimit: 5\n",
                                    "  revisionHistoryLimit: 5\n  replicas: 1\n")
    text = text.replace("            - name: metrics\n              containerPort: 9090\n"
                        "            - name: grpc\n              containerPort: 8080\n",
                        "            - name: grpc\n              containerPort: 8080\n"
                        "            - name: metrics\n              containerPort: 9090\n")
    path.write_text(text)  # left uncommitted: head is the working tree
    result = cli(git_tree, "diff", "--base", "HEAD")
    assert result.code == 0, result
    assert "No differences." in result.stdout


def test_only_affected_overlays_render(git_tree, cli):
    pdb = git_tree / "overlays" / "prod" / "web" / "pdb.yaml"
    pdb.unlink()
    kustomization = git_tree / "overlays" / "prod" / "web" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("  - pdb.yaml\n", "")
                             .replace("count: 3", "count: 2"))
    result = cli(git_tree, "diff", "--base", "HEAD", "--format", "json")
    assert result.code == 1, result
    report = json.loads(result.stdout)
    assert [(a["env"], a["app"]) for a in report["apps"]] == [("prod", "web")]
    messages = sorted(r["message"] for r in report["risks"])
    assert messages == ["PodDisruptionBudget removed", "replicas reduced 3 → 2",
                        "resource deleted in prod"]


def test_env_diff_shows_replicas_and_image_not_namespaces(tree, cli):
    result = cli(tree, "diff", "--from-env", "dev", "--to-env", "staging", "--format", "json")
    assert result.code == 1, result
    report = json.loads(result.stdout)
    changes = {c["path"]: (c["before"], c["after"])
               for a in report["apps"] for r in a["resources"] if r["kind"] == "Deployment"
               for c in r["changes"]}
    assert changes["spec.replicas"] == (1, 2)
    assert changes["spec.template.spec.containers[web].image"] == (
        "ghcr.io/marty-platform/web:1.5.0-rc.1", "ghcr.io/marty-platform/web:1.4.2")
    assert changes["spec.template.spec.containers[web].env[LOG_LEVEL].value"] == ("debug", "info")
    assert not any("namespace" in path for path in changes)


def test_diff_usage_errors(tree, cli):
    assert cli(tree, "diff").code == 2
    assert cli(tree, "diff", "--from-env", "dev").code == 2
    assert cli(tree, "diff", "--base", "nope").code == 2  # not a git repo / unknown ref


def test_markdown_split_writes_files(tree, cli, tmp_path):
    result = cli(tree, "diff", "--from-env", "staging", "--to-env", "prod", "--format",
                 "markdown", "--split", "--out-dir", str(tmp_path / "md"))
    assert result.code == 1, result
    body = (tmp_path / "md" / "diff-1.md").read_text()
    assert body.startswith("<!-- marty-diff -->") and "<details>" in body
