""".github/CODEOWNERS is generated from the catalog's teams and checked for staleness like every
generated file; the production overlays and the policies stay with the platform team."""
from __future__ import annotations

import yaml

from harness import ROOT

CODEOWNERS = ROOT / ".github" / "CODEOWNERS"


def _rules(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def _owner_of(rules: list[tuple[str, str]], pattern: str) -> str:
    """The owner GitHub applies for an exact pattern line: the last line naming it."""
    return [owner for path, owner in rules if path == pattern][-1]


def test_every_service_is_owned_by_its_catalog_team():
    rules = _rules(CODEOWNERS.read_text())
    services = yaml.safe_load((ROOT / "catalog" / "services.yaml").read_text())["services"]
    for service in services:
        team = f"@marty-platform/{service['team']}"
        assert _owner_of(rules, f"/base/services/{service['name']}/") == team
        assert _owner_of(rules, f"/overlays/dev/{service['name']}/") == team
        assert not any(path == f"/overlays/prod/{service['name']}/" for path, _ in rules)


def test_prod_overlays_and_policies_are_the_platform_teams_and_win():
    rules = _rules(CODEOWNERS.read_text())
    assert rules[0] == ("*", "@marty-platform/platform")
    assert rules[-3:-1] == [("/overlays/prod/**", "@marty-platform/platform"),
                            ("/policies/**", "@marty-platform/platform")]


def test_a_team_change_in_the_catalog_makes_codeowners_stale(run_cli, repo_copy):
    catalog = repo_copy / "catalog" / "services.yaml"
    catalog.write_text(catalog.read_text().replace("team: experience", "team: pki-core"))
    stale = run_cli("generate", "--check", cwd=repo_copy)
    assert stale.code == 1
    assert ".github/CODEOWNERS" in stale.stdout + stale.stderr
    assert run_cli("generate", cwd=repo_copy).code == 0
    rules = _rules((repo_copy / ".github" / "CODEOWNERS").read_text())
    assert _owner_of(rules, "/base/services/ui-app/") == "@marty-platform/pki-core"
