"""scripts/validate's tflint check on copies of the repo, with the pinned tflint: findings with
file and line, no plugin ever run or downloaded, nothing outside the repo read."""
from __future__ import annotations

from pathlib import Path

import pytest

from harness import pinned_tool


@pytest.fixture(autouse=True)
def _tflint():
    pinned_tool("tflint")


def _validate(run_cli, repo: Path, *paths: str):
    return run_cli("validate", "--format", "json", *(paths or ("terraform/",)), cwd=repo)


def test_committed_terraform_tree_is_tflint_clean(run_cli):
    outcome = run_cli("validate", "--format", "json", "terraform/", ".tflint.hcl")
    assert outcome.findings(check="tflint") == [], outcome.stdout
    assert outcome.json["stats"]["checks"]["tflint"]["checked"] > 0, outcome.stdout
    assert outcome.code == 0, outcome.stdout + outcome.stderr


def test_tflint_issue_is_a_finding_at_its_line(run_cli, repo_copy):
    variables = repo_copy / "terraform/modules/network/variables.tf"
    lines = len(variables.read_text().splitlines())
    variables.write_text(variables.read_text() + '\nvariable "spare" {\n  description = "x"\n'
                         '  type        = string\n}\n')
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="tflint", rule="terraform_unused_declarations")
    assert [(f["file"], f["line"]) for f in found] == [
        ("terraform/modules/network/variables.tf", lines + 2)], outcome.stdout
    assert outcome.code == 1


def test_example_is_linted(run_cli, repo_copy):
    main = next((repo_copy / "terraform/examples").glob("*/main.tf"))
    main.write_text(main.read_text() + '\nlocals {\n  // not a Terraform comment\n  spare = 1\n}\n')
    outcome = _validate(run_cli, repo_copy)
    rules = {f["rule"] for f in outcome.findings(check="tflint",
                                                 file=main.relative_to(repo_copy).as_posix())}
    assert {"terraform_comment_syntax", "terraform_unused_declarations"} <= rules, outcome.stdout


def test_bad_hcl_is_a_finding_not_a_traceback(run_cli, repo_copy):
    (repo_copy / "terraform/modules/network/broken.tf").write_text('variable "x" {\n  type = \n}\n')
    outcome = _validate(run_cli, repo_copy)
    assert "Traceback" not in outcome.stderr
    found = outcome.findings(check="tflint", rule="parse")
    assert [(f["file"], f["line"]) for f in found] == [
        ("terraform/modules/network/broken.tf", 2)], outcome.stdout
    assert outcome.code == 1


@pytest.mark.parametrize("source", ["../../../../..", "/etc", "../../../../../../tmp"])
def test_module_source_leaving_the_repo_is_refused_before_tflint(run_cli, repo_copy, source):
    main = repo_copy / "terraform/envs/dev/main.tf"
    text = main.read_text()
    main.write_text(text.replace('source = "../../modules/platform"', f'source = "{source}"'))
    line = text.splitlines().index('  source = "../../modules/platform"') + 1
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="tflint", rule="outside-repo")
    assert [(f["file"], f["line"]) for f in found] == [("terraform/envs/dev/main.tf", line)], \
        outcome.stdout
    assert outcome.code == 1


def test_tf_symlink_out_of_the_repo_is_not_followed(run_cli, repo_copy, tmp_path):
    outside = tmp_path / "outside.tf"
    outside.write_text('variable "canary_outside_repo" {}\n')
    (repo_copy / "terraform/modules/network/linked.tf").symlink_to(outside)
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="tflint", rule="outside-repo")
    assert [f["file"] for f in found] == ["terraform/modules/network/linked.tf"], outcome.stdout
    assert "canary_outside_repo" not in outcome.stdout + outcome.stderr


@pytest.mark.parametrize("extra, expected", [
    ('plugin "aws" {\n  enabled = true\n  source  = "github.com/terraform-linters/tflint-ruleset-aws"\n'
     '  version = "0.30.0"\n}\n', "plugin 'aws'"),
    ('config {\n  plugin_dir = "/tmp"\n}\n', "config.plugin_dir"),
    ('config {\n  varfile = ["/etc/passwd"]\n}\n', "config.varfile"),
    ('config {\n  call_module_type = "all"\n}\n', "call_module_type = 'all'"),
])
def test_config_asking_for_plugins_or_outside_files_is_refused(run_cli, repo_copy, extra, expected):
    config = repo_copy / ".tflint.hcl"
    config.write_text(config.read_text() + "\n" + extra)
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="tflint", rule="config")
    assert found and all(f["file"] == ".tflint.hcl" and f["line"] for f in found), outcome.stdout
    assert any(expected in f["message"] for f in found), outcome.stdout
    assert outcome.code == 1


def test_tflint_config_selects_tflint_in_path_mode(run_cli, repo_copy):
    (repo_copy / ".tflint.hcl").write_text('plugin "terraform" {\n  enabled = true\n  preset = "all"\n'
                                          '  source = "github.com/x/y"\n}\n')
    outcome = _validate(run_cli, repo_copy, ".tflint.hcl")
    assert outcome.findings(check="tflint", rule="config"), outcome.stdout


def test_fmt_finding_names_the_file_relative_to_the_repo(run_cli, repo_copy):
    main = repo_copy / "terraform/modules/network/main.tf"
    main.write_text(main.read_text() + '\nlocals {\nspare=1\n}\n')
    outcome = _validate(run_cli, repo_copy)
    assert [f["file"] for f in outcome.findings(check="terraform", rule="fmt")] == [
        "terraform/modules/network/main.tf"], outcome.stdout


def test_a_plugin_in_the_private_plugin_directory_stops_the_run(run_cli, tmp_path):
    """Only the bundled rule set may run: a plugin binary where tflint looks for plugins (the
    sealed home's TFLINT_PLUGIN_DIR) is a tooling error, never executed."""
    cache = tmp_path / "cache"
    plugins = cache / "home" / "tflint" / "plugins"
    plugins.mkdir(parents=True)
    canary = tmp_path / "plugin-ran"
    plugin = plugins / "tflint-ruleset-terraform"
    plugin.write_text(f"#!/bin/sh\ntouch {canary}\n")
    plugin.chmod(0o755)
    outcome = run_cli("validate", "terraform/", env={"MARTY_CACHE_DIR": str(cache)})
    assert outcome.code == 2, outcome.stdout + outcome.stderr
    assert "tflint plugin directory is not empty" in outcome.stderr
    assert not canary.exists()
