"""Rendered manifests given without --env are judged in the env whose env.yaml sets
`defaultForManifests` (prod in this repo), not in an env named in code."""
from __future__ import annotations

from pathlib import Path

CONFIG_MAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: marty-staging
data:
  level: info
"""


def _move_default(repo: Path, to: str) -> None:
    prod = repo / "overlays" / "prod" / "env.yaml"
    prod.write_text(prod.read_text().replace("defaultForManifests: true\n", ""))
    target = repo / "overlays" / to / "env.yaml"
    target.write_text(target.read_text() + "defaultForManifests: true\n")


def test_manifests_are_judged_in_the_env_the_env_configs_name(run_cli, repo_copy: Path,
                                                              tmp_path: Path):
    _move_default(repo_copy, "staging")
    manifest = tmp_path / "settings.yaml"
    manifest.write_text(CONFIG_MAP, encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", str(manifest), cwd=repo_copy)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.json["stats"]["envs"] == ["staging"], outcome.json["stats"]


def test_two_envs_claiming_the_default_is_a_usage_error(run_cli, repo_copy: Path, tmp_path: Path):
    dev = repo_copy / "overlays" / "dev" / "env.yaml"
    dev.write_text(dev.read_text() + "defaultForManifests: true\n")
    manifest = tmp_path / "settings.yaml"
    manifest.write_text(CONFIG_MAP, encoding="utf-8")
    outcome = run_cli("validate", str(manifest), cwd=repo_copy)
    assert outcome.code == 2, outcome.stdout + outcome.stderr
    assert "defaultForManifests" in outcome.stderr and "Traceback" not in outcome.stderr
