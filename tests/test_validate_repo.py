"""The committed repo validates clean, with every check actually looking at something."""
from __future__ import annotations


def test_committed_tree_is_clean(repo_validation):
    outcome = repo_validation
    errors = [f for f in outcome.json["findings"] if f["severity"] == "error"]
    assert errors == [], errors
    assert outcome.code == 0, outcome.stderr
    assert outcome.json["ok"] is True
    checks = outcome.json["stats"]["checks"]
    for name in ("yaml", "schema", "kustomize", "kubeconform", "policy"):
        assert checks[name]["checked"] > 0, name
    assert set(outcome.json["stats"]["envs"]) == {"dev", "staging", "prod"}


def test_every_env_is_rendered_and_schema_checked(repo_validation):
    stats = repo_validation.json["stats"]["by_env"]
    for env in ("dev", "staging", "prod"):
        assert stats[env]["kubeconform"]["checked"] > 0
        assert stats[env]["policy"]["checked"] > 0


def test_without_crd_schemas_unknown_kinds_are_reported_not_passed(run_cli, tmp_path):
    manifest = tmp_path / "widget.yaml"
    manifest.write_text("apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata:\n"
                        "  name: r\n  namespace: marty-dev\nspec: {}\n")
    outcome = run_cli("validate", "--format", "json", "--env", "dev", str(manifest),
                      env={"MARTY_CRD_SCHEMA_LOCATION": ""})
    [item] = outcome.findings(check="kubeconform", rule="no-schema")
    assert item["file"] == str(manifest)
    assert "not checked: no schema" in item["message"]
    assert outcome.json["stats"]["checks"]["kubeconform"]["not_checked"] == 1
