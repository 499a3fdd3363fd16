"""catalog/platform-components.yaml drives the platform manifests; a placeholder digest warns."""
from __future__ import annotations

from pathlib import Path

COMPONENTS = "catalog/platform-components.yaml"


def _edit(repo: Path, old: str, new: str) -> None:
    path = repo / COMPONENTS
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_placeholder_digest_is_a_warning_at_its_line(run_cli, repo_copy: Path):
    outcome = run_cli("validate", "--format", "json", COMPONENTS, cwd=repo_copy)
    assert outcome.code == 0, outcome.stderr
    [item] = outcome.findings(check="catalog", rule="placeholder-digest")
    line = next(i for i, text in enumerate(
        (repo_copy / COMPONENTS).read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("  digest:"))
    assert (item["severity"], item["line"]) == ("warning", line)
    _edit(repo_copy, "\n  digestSource: placeholder", "\n  digestSource: registry")
    outcome = run_cli("validate", "--format", "json", COMPONENTS, cwd=repo_copy)
    assert outcome.code == 0 and not outcome.findings(rule="placeholder-digest")


def test_the_data_file_drives_the_generated_manifests(run_cli, repo_copy: Path):
    _edit(repo_copy, 'tag: "7.4.2"', 'tag: "7.4.3"')
    _edit(repo_copy, "limits: {cpu: 500m, memory: 640Mi}", "limits: {cpu: 500m, memory: 700Mi}")
    stale = run_cli("validate", "--format", "json", COMPONENTS, cwd=repo_copy)
    assert stale.findings(check="generated", rule="catalog"), stale.stdout
    assert run_cli("generate", cwd=repo_copy).code == 0
    redis = (repo_copy / "base/platform/data/redis.yaml").read_text(encoding="utf-8")
    assert "ghcr.io/marty-platform/redis:7.4.3@sha256:" in redis
    collector = (repo_copy / "base/platform/monitoring/otel/dev/collector.yaml").read_text(
        encoding="utf-8")
    assert "memory: 700Mi" in collector


def test_generate_refuses_a_broken_data_file(run_cli, repo_copy: Path):
    _edit(repo_copy, "  storage: 10Gi", "  storage: 10Gi\n  storage: 20Gi")
    outcome = run_cli("generate", cwd=repo_copy)
    assert outcome.code == 2 and "Traceback" not in outcome.stderr
    assert f"{COMPONENTS}:17: duplicate key 'storage'" in outcome.stderr
    _edit(repo_copy, "  storage: 20Gi\n", "")
    _edit(repo_copy, "maxmemory: 200mb", "maxmemory: lots")
    outcome = run_cli("generate", cwd=repo_copy)
    assert outcome.code == 2 and "redis/maxmemory" in outcome.stderr, outcome.stderr
    validated = run_cli("validate", "--format", "json", COMPONENTS, cwd=repo_copy)
    [item] = validated.findings(check="schema", rule="platform-components")
    assert item["line"] == 25
