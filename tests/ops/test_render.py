import yaml


def test_render_prints_env_objects_deterministically(tree, cli):
    first = cli(tree, "render", "--env", "staging")
    assert first.code == 0, first
    docs = [d for d in yaml.safe_load_all(first.stdout) if d]
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["Deployment", "Service", "ServiceAccount"]
    assert all(d["metadata"]["namespace"] == "marty-staging" for d in docs)
    assert not any("config.kubernetes.io/origin" in str(d) for d in docs)
    assert cli(tree, "render", "--env", "staging").stdout == first.stdout


def test_render_writes_one_file_per_app(tree, cli, tmp_path):
    out = tmp_path / "out"
    result = cli(tree, "render", "--env", "prod", "--out", str(out))
    assert result.code == 0, result
    docs = [d for d in yaml.safe_load_all((out / "prod" / "web" / "manifests.yaml").read_text()) if d]
    assert {d["kind"] for d in docs} == {"Deployment", "Service", "ServiceAccount",
                                         "PodDisruptionBudget"}


def test_render_errors_exit_1(tree, cli):
    (tree / "overlays" / "dev" / "web" / "kustomization.yaml").write_text(
        "resources:\n  - missing.yaml\n")
    result = cli(tree, "render", "--env", "dev")
    assert result.code == 1, result
    assert "missing.yaml" in result.stderr


def test_render_unknown_env_is_usage_error(tree, cli):
    assert cli(tree, "render", "--env", "qa").code == 2
