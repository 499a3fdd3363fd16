"""The setup layer: settings resolved once from flags and the environment, the envs, their order
and their production tier read from the env configs, and the commands' program names."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from harness import ROOT
from marty_platform import settings
from marty_platform.envconfig import first_env, production_envs, promotion_paths
from marty_platform.repo import Repo


def test_flags_come_before_the_environment():
    repo = Repo(Path("/repo"))
    resolved = settings.resolve(repo, crd_schema_locations=("flag-dir",),
                                today=dt.date(2030, 1, 2),
                                environ={"MARTY_CACHE_DIR": "/c", "MARTY_TOOLS_BIN": "/t",
                                         "MARTY_CRD_SCHEMA_LOCATION": "/a:/b"})
    assert resolved.cache_dir == Path("/c") and resolved.cache_dir_from_environment
    assert resolved.tools_bin == Path("/t")
    assert resolved.crd_schema_locations == ("flag-dir", "/a", "/b")
    assert resolved.today == dt.date(2030, 1, 2)


def test_defaults_live_in_the_repo():
    resolved = settings.resolve(Repo(Path("/repo")), environ={})
    assert resolved.cache_dir == Path("/repo/.cache") and not resolved.cache_dir_from_environment
    assert resolved.tools_bin == Path("/repo/.tools/bin")
    assert resolved.crd_schema_locations == ()
    assert resolved.today == dt.date.today()


def test_environment_variables_are_read_in_one_module():
    names = ("MARTY_CACHE_DIR", "MARTY_TOOLS_BIN", "MARTY_CRD_SCHEMA_LOCATION")
    reading = re.compile(r"environ(\.get)?[\[(]\s*\"(%s)\"" % "|".join(names))
    readers = sorted(path.relative_to(ROOT).as_posix()
                     for path in (ROOT / "scripts" / "marty_platform").rglob("*.py")
                     if reading.search(path.read_text(encoding="utf-8")))
    assert readers == []
    assert {settings.CACHE_DIR_VAR, settings.TOOLS_BIN_VAR, settings.CRD_LOCATION_VAR} == set(names)


def _env(root: Path, name: str, extra: str = "") -> None:
    path = root / "overlays" / name / "env.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(f"apiVersion: marty.dev/v1\nkind: EnvironmentConfig\nname: {name}\n"
                    f"kubernetesVersion: \"1.33\"\nnamespaces: [marty-{name}]\n{extra}")


def test_env_order_and_tier_come_from_the_env_configs(tmp_path):
    _env(tmp_path, "live", "promotesFrom: qa\ntier: production\n")
    _env(tmp_path, "sandbox")
    _env(tmp_path, "qa", "promotesFrom: sandbox\n")
    _env(tmp_path, "scratch", "promotesFrom: nowhere\n")
    repo = Repo(tmp_path)
    assert repo.envs() == ["sandbox", "qa", "live", "scratch"]
    assert promotion_paths(repo) == [("sandbox", "qa"), ("qa", "live"), ("nowhere", "scratch")]
    assert first_env(repo) == "sandbox"
    assert production_envs(repo) == {"live"}


def test_this_repo_declares_dev_staging_prod():
    repo = Repo(ROOT)
    assert repo.envs() == ["dev", "staging", "prod"]
    assert promotion_paths(repo) == [("dev", "staging"), ("staging", "prod")]
    assert production_envs(repo) == {"prod"}


def test_promotion_follows_the_declared_chain(run_cli, repo_copy):
    prod = repo_copy / "overlays" / "prod" / "env.yaml"
    prod.write_text(prod.read_text().replace("promotesFrom: staging", "promotesFrom: dev"))

    outcome = run_cli("promote", "staging", "prod", cwd=repo_copy)

    assert outcome.code == 2, outcome.stdout + outcome.stderr
    assert outcome.stderr == ("error: cannot promote staging → prod; allowed: dev → prod, "
                              "dev → staging (prod accepts only from dev)\n")


def test_help_names_the_script(run_cli):
    for command in ("validate", "diff", "drift", "promote", "release", "slo-report", "generate"):
        outcome = run_cli(command, "--help")
        assert outcome.code == 0, outcome.stderr
        assert outcome.stdout.startswith(f"Usage: scripts/{command} "), outcome.stdout
        assert "python -m" not in outcome.stdout


def test_today_is_a_date(run_cli):
    outcome = run_cli("validate", "--today", "2026-02-30", "tests/fixtures/clean")
    assert outcome.code == 2
    assert outcome.stderr.startswith("error: ") and "2026-02-30" in outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1
