"""Every YAML file the tooling reads goes through yamlio: a duplicate key (or any other hazard)
is a finding or a usage error naming the file and line, never last-one-wins."""
from __future__ import annotations

import re
from pathlib import Path

from harness import ROOT

PACKAGE = ROOT / "scripts" / "marty_platform"
# Direct PyYAML loading (or ruamel) outside the one loader.
DIRECT_LOAD = re.compile(r"\byaml\.(safe_load|load|safe_load_all|load_all|full_load|"
                         r"unsafe_load)\(|\bfrom ruamel\b|\bimport ruamel\b")
ALLOWED = {
    # The round-trip editor of release/promote: it keeps comments and quoting, and loads every
    # file through yamlio.load_one first, so duplicate keys are refused before ruamel runs.
    "scripts/marty_platform/overlay_doc.py",
}


def test_no_module_but_yamlio_loads_yaml_itself():
    offenders = sorted(
        path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py")
        if path.name != "yamlio.py" and path.relative_to(ROOT).as_posix() not in ALLOWED
        and DIRECT_LOAD.search(path.read_text(encoding="utf-8")))
    assert not offenders, offenders


def test_the_round_trip_editor_loads_strictly_first():
    text = (PACKAGE / "overlay_doc.py").read_text(encoding="utf-8")
    assert text.index("load_one(path)") < text.index("yaml.load(text)")


def _duplicate(path: Path, after: str, line: str) -> int:
    """Insert `line` after the first line equal to `after`; returns the new line's number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, text in enumerate(lines) if text.rstrip("\n") == after)
    lines.insert(index + 1, line + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return index + 2


def test_a_duplicate_key_in_a_rule_file_is_a_monitoring_finding(run_cli, repo_copy: Path):
    rule_file = repo_copy / "monitoring" / "rules" / "business.yaml"
    line = _duplicate(rule_file, "      - record: marty:documents_signed:rate5m",
                      "        record: marty:documents_signed:rate1m")
    outcome = run_cli("validate", "--format", "json", "monitoring/rules/business.yaml",
                      cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = outcome.findings(check="monitoring", rule="duplicate-key")
    assert (item["file"], item["line"]) == ("monitoring/rules/business.yaml", line)
    assert not outcome.findings(rule="internal-error")


def test_a_duplicate_key_in_chart_values_is_a_helm_finding(run_cli, repo_copy: Path):
    values = repo_copy / "charts" / "microservice" / "values.yaml"
    line = _duplicate(values, "partOf: marty", "partOf: other")
    outcome = run_cli("validate", "--format", "json", "charts/microservice/values.yaml",
                      cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = outcome.findings(check="helm", rule="duplicate-key")
    assert (item["file"], item["line"]) == ("charts/microservice/values.yaml", line)


def test_generate_refuses_duplicate_keys_in_its_sources(run_cli, repo_copy: Path):
    config = repo_copy / "monitoring" / "otel" / "collector-dev.yaml"
    line = _duplicate(config, "extensions:", "  health_check: {}")
    before = {p: p.read_bytes() for p in (repo_copy / "monitoring").rglob("*") if p.is_file()}
    outcome = run_cli("generate", cwd=repo_copy)
    assert outcome.code == 2, outcome.stderr
    assert f"monitoring/otel/collector-dev.yaml:{line + 1}: duplicate key" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    after = {p: p.read_bytes() for p in (repo_copy / "monitoring").rglob("*") if p.is_file()}
    assert after == before


def test_a_duplicate_key_in_the_route_table_names_its_line(run_cli, repo_copy: Path):
    table = next((repo_copy / "monitoring" / "alertmanager").glob("*route*.yaml"))
    text = table.read_text(encoding="utf-8")
    first = next(i for i, t in enumerate(text.splitlines()) if t.strip().startswith("receivers:"))
    lines = text.splitlines(keepends=True)
    lines.insert(first + 1, lines[first])
    table.write_text("".join(lines), encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", table.relative_to(repo_copy).as_posix(),
                      cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = outcome.findings(check="monitoring", rule="route-table")
    assert f"line {first + 2}" in item["message"] and "duplicate key" in item["message"]
