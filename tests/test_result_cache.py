"""The result cache's keys, storage and pruning (result_cache.py, check_inputs.py)."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from marty_platform.check_inputs import WHOLE_TREE, InputIndex, tools_identity
from marty_platform.model import CheckResult, CheckStats, Severity, finding
from marty_platform.repo import Repo
from marty_platform.result_cache import ResultCache, ScanCache, key_of


def _results() -> list[CheckResult]:
    return [CheckResult("helm", env="dev", findings=[finding(
        "helm", "lint", "chart: bad", file="charts/x/Chart.yaml", line=3, env="dev",
        resource="Deployment/ns/x", severity=Severity.WARNING)],
        stats=CheckStats(4, 1), rules={"lint": 4})]


def test_the_key_changes_with_every_part_and_parts_never_run_together():
    parts = ["kubeconform", "kubeconform=v0.7.0", "code", "2026-01-01", "bytes"]
    key = key_of(*parts)
    for index in range(len(parts)):
        changed = [*parts]
        changed[index] += "x"
        assert key_of(*changed) != key
    assert key_of("ab", "c") != key_of("a", "bc")
    assert key_of(*parts) == key


def test_a_stored_result_comes_back_equal(tmp_path):
    cache = ResultCache(tmp_path)
    cache.put("k" * 64, _results())
    assert cache.get("k" * 64) == _results()
    assert cache.get("m" * 64) is None


DAMAGED = ["", "{not json", "{}", "[1]", '{"results": [{"check": 1}]}',
           '{"results": [{"check": "x", "env": "", "findings": [{}], "stats": {}, "rules": {}}]}']


@pytest.mark.parametrize("content", DAMAGED)
def test_a_damaged_entry_is_a_miss(tmp_path, content):
    cache = ResultCache(tmp_path)
    cache.put("d" * 64, _results())
    entry, = (tmp_path / "results").glob("*/*.json")
    entry.write_text(content, encoding="utf-8")
    assert cache.get("d" * 64) is None


def test_a_result_holding_an_internal_error_is_not_stored(tmp_path):
    cache = ResultCache(tmp_path)
    failed = [CheckResult("helm", findings=[finding("helm", "internal-error", "the check failed")])]
    cache.put("e" * 64, failed)
    assert cache.get("e" * 64) is None


def test_prune_keeps_what_the_run_used_and_removes_the_rest(tmp_path):
    earlier = ResultCache(tmp_path)
    earlier.put("a" * 64, _results())
    earlier.put("b" * 64, _results())
    old = time.time() - 3600
    for entry in (tmp_path / "results").glob("*/*.json"):
        os.utime(entry, (old, old))
    run = ResultCache(tmp_path)
    assert run.get("a" * 64) is not None
    run.put("c" * 64, _results())
    run.prune()
    assert run.get("a" * 64) is not None
    assert run.get("c" * 64) is not None
    assert run.get("b" * 64) is None


def test_a_scan_cache_of_part_of_the_tree_keeps_the_other_entries(tmp_path):
    one, two = [{"verdict": 1}], [{"verdict": 2}]
    whole = ScanCache(tmp_path, "conftest", "dev")
    whole.put("one", one)
    whole.put("two", two)
    whole.save()
    part = ScanCache(tmp_path, "conftest", "dev")
    assert part.get("one") == one
    part.save(keep_unused=True)
    assert ScanCache(tmp_path, "conftest", "dev").get("two") == two
    part.save()
    assert ScanCache(tmp_path, "conftest", "dev").get("two") is None


def test_scan_results_another_version_of_the_tooling_wrote_are_not_read(tmp_path):
    cache = ScanCache(tmp_path, "gitleaks", "repo")
    cache.put("key", [{"rule": "aws-access-token"}])
    cache.save()
    stored = json.loads(cache.path.read_text(encoding="utf-8"))
    assert ScanCache(tmp_path, "gitleaks", "repo").get("key") == [{"rule": "aws-access-token"}]
    cache.path.write_text(json.dumps({**stored, "tooling": "0" * 64}), encoding="utf-8")
    assert ScanCache(tmp_path, "gitleaks", "repo").get("key") is None
    cache.path.write_text(json.dumps(stored["entries"]), encoding="utf-8")  # the older layout
    assert ScanCache(tmp_path, "gitleaks", "repo").get("key") is None


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    (tmp_path / "results").write_text("a file where the directory should be\n", encoding="utf-8")
    (tmp_path / "scans").write_text("a file where the directory should be\n", encoding="utf-8")
    results = ResultCache(tmp_path)
    results.put("a" * 64, _results())
    assert results.get("a" * 64) is None
    scans = ScanCache(tmp_path, "conftest", "dev")
    scans.put("one", [{"verdict": 1}])
    scans.save()
    assert ScanCache(tmp_path, "conftest", "dev").get("one") is None


def _tree(root: Path) -> Repo:
    for rel, text in {"tools.toml": "pins", "charts/a/Chart.yaml": "name: a",
                      "terraform/main.tf": "x = 1", ".cache/results/x.json": "cached"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return Repo(root)


def test_an_area_digest_changes_with_its_files_and_the_top_level_files_only(tmp_path):
    repo = _tree(tmp_path / "repo")

    def digests():
        index = InputIndex(repo, repo.root / ".tools/bin")
        return index.digest(("charts",)), index.digest(WHOLE_TREE)

    charts, whole = digests()
    (repo.root / "terraform/main.tf").write_text("x = 2", encoding="utf-8")
    assert digests() == (charts, digests()[1]) and digests()[1] != whole
    (repo.root / ".cache/results/x.json").write_text("other", encoding="utf-8")
    assert digests()[0] == charts  # the cache is no input
    (repo.root / "charts/a/Chart.yaml").write_text("name: b", encoding="utf-8")
    assert digests()[0] != charts
    charts = digests()[0]
    (repo.root / "tools.toml").write_text("other pins", encoding="utf-8")
    assert digests()[0] != charts
    charts = digests()[0]
    (repo.root / "charts/a/new.yaml").write_text("", encoding="utf-8")
    assert digests()[0] != charts


def test_a_symlink_counts_by_where_it_points_and_what_it_points_to_is_not_read(tmp_path):
    repo = _tree(tmp_path / "repo")
    outside = tmp_path / "secret.txt"
    outside.write_text("one", encoding="utf-8")
    (repo.root / "charts/a/link.yaml").symlink_to(outside)
    digest = InputIndex(repo, repo.root / ".tools/bin").digest(("charts",))
    outside.write_text("two", encoding="utf-8")
    assert InputIndex(repo, repo.root / ".tools/bin").digest(("charts",)) == digest
    (repo.root / "charts/a/link.yaml").unlink()
    (repo.root / "charts/a/link.yaml").symlink_to(tmp_path / "elsewhere")
    assert InputIndex(repo, repo.root / ".tools/bin").digest(("charts",)) != digest


def test_a_tool_rebuilt_or_another_tools_directory_is_another_identity(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "kubeconform").write_bytes(b"one")
    identity = tools_identity(tools)
    assert tools_identity(tools) == identity
    (tools / "kubeconform").unlink()
    (tools / "kubeconform").write_bytes(b"other")
    assert tools_identity(tools) != identity
    other = tmp_path / "other-bin"
    shutil.copytree(tools, other)
    assert tools_identity(other) != tools_identity(tools)
