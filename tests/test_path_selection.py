"""`scripts/validate PATH` with files of the repo: each selects what depends on it.

`scripts/validate $(git diff --name-only)` and the pre-commit hook pass repo files, not overlay
directories: a kustomization, a profile or the catalog must select the overlays (through the
kustomize graph) and the repo checks it feeds, never be judged as a rendered manifest.
"""
from __future__ import annotations

from harness import ROOT
from marty_platform import checks
from marty_platform.repo import Repo
from marty_platform.selection import ALL_REPO_CHECKS, AREA_CHECKS


def _rendered(outcome) -> int:
    return outcome.json["stats"]["checks"].get("kustomize", {}).get("checked", 0)


def _checks_run(outcome) -> set[str]:
    return set(outcome.json["stats"]["checks"])


def test_every_area_names_real_repo_checks():
    names = {checks.check_id(c) for c in [*checks.PYTHON_REPO_CHECKS, *checks.TOOL_REPO_CHECKS]}
    assert set(ALL_REPO_CHECKS) == names
    for area, fed in AREA_CHECKS.items():
        assert set(fed) <= names, area


def test_an_overlay_kustomization_file_selects_its_overlay(run_cli):
    outcome = run_cli("validate", "--format", "json",
                      "overlays/staging/trust-anchor/kustomization.yaml")
    assert outcome.code == 0, outcome.json["findings"]
    assert _rendered(outcome) == 1
    assert outcome.json["stats"]["envs"] == ["staging"]
    assert {"gitops", "generated"} <= _checks_run(outcome)


def test_a_profile_selects_the_overlays_that_use_it(run_cli):
    outcome = run_cli("validate", "--format", "json", "base/profiles/prod.yaml")
    assert outcome.code == 0, outcome.json["findings"]
    repo = Repo(ROOT)
    using = [o for o in repo.overlays(["prod"])
             if "base/profiles/prod.yaml" in (o.path / "kustomization.yaml").read_text()]
    assert using and _rendered(outcome) == len(using)
    assert outcome.json["stats"]["envs"] == ["prod"]


def test_the_catalog_runs_the_repo_checks_it_feeds(run_cli):
    outcome = run_cli("validate", "--format", "json", "catalog/services.yaml")
    assert outcome.code == 0, outcome.json["findings"]
    assert {"catalog", "generated", "gitops", "schema"} <= _checks_run(outcome)
    assert _rendered(outcome) == 0
    assert any(n.startswith("repo checks run: ") and "skipped" in n
               for n in outcome.json["notes"]), outcome.json["notes"]


def test_a_stale_catalog_change_fails_path_mode_like_the_whole_repo(run_cli, repo_copy):
    """The trap: a new service's overlays validate, the whole repo does not."""
    catalog = repo_copy / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text() + (
        "  - name: vds-engine\n    protocol: http\n    port: 8091\n    team: credentials\n"
        "    database: false\n    dependencies: [document-signer]\n"))
    outcome = run_cli("validate", "--format", "json", "catalog/services.yaml", cwd=repo_copy)
    assert outcome.code == 1
    assert outcome.findings(check="generated", file="base/services/vds-engine/values.yaml")


def test_files_nothing_reads_are_named_not_judged_as_manifests(run_cli):
    """A run that checks nothing is not a pass: exit 2, one line naming each path and why."""
    outcome = run_cli("validate", "README.md", ".pre-commit-config.yaml", "bench/deleted.py")
    assert outcome.code == 2, outcome.stdout + outcome.stderr
    [line] = outcome.stderr.strip().splitlines()
    assert line.startswith("error: nothing to check: ")
    for path in ("README.md", ".pre-commit-config.yaml", "bench/deleted.py"):
        assert f"{path}: " in line and "feeds no check" in line


def test_a_file_that_feeds_nothing_is_named_beside_one_that_does(run_cli):
    outcome = run_cli("validate", "README.md", "catalog/services.yaml")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert "note: README.md: feeds no check" in outcome.stdout


def test_a_deleted_file_selects_the_overlays_of_its_directory(run_cli, repo_copy):
    deleted = "base/services/trust-anchor/external-secret.yaml"
    (repo_copy / deleted).unlink()
    outcome = run_cli("validate", "--format", "json", deleted, cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert outcome.findings(check="kustomize", rule="missing-file",
                            file="base/services/trust-anchor/kustomization.yaml")
    assert outcome.findings(check="generated", file=deleted)
    assert any(deleted in note and "deleted" in note for note in outcome.json["notes"])


def test_overlay_paths_say_which_repo_checks_they_skip(run_cli):
    outcome = run_cli("validate", "overlays/staging/trust-anchor")
    assert outcome.code == 0, outcome.stdout
    assert "note: repo checks skipped: " in outcome.stdout and "gitops" in outcome.stdout


def test_the_pre_commit_hooks_pass_exactly_the_areas_that_feed_a_check():
    import re

    import yaml
    hooks = [*yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()),
             *yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]]
    for hook in hooks:
        files = re.compile(hook["files"])
        for area in AREA_CHECKS:
            probe = f"{area}/some-file.yaml" if (ROOT / area).is_dir() else area
            assert files.search(probe), (hook["id"], area)
        for elsewhere in ("README.md", "bench/bench.py"):
            assert not files.search(elsewhere), (hook["id"], elsewhere)


def test_the_checkov_config_selects_every_overlay_and_the_checkov_check():
    from marty_platform.selection import select

    repo = Repo(ROOT)
    chosen = select(repo, [ROOT / "config" / "checkov.yaml"])
    assert "iac-security" in chosen.repo_checks
    assert sorted(o.path for o in chosen.overlays) == sorted(o.path for o in repo.overlays())
    policy = select(repo, [ROOT / "policies" / "README.md"])
    assert "iac-security" in policy.repo_checks  # covered-by-policy names the policies' rules
