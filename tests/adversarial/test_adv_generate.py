"""`scripts/generate` on a hostile or mistaken catalog: refused with located findings before
anything is written, and a run that fails half-way changes nothing."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from harness import TOOLS_BIN
from marty_platform.errors import UsageError
from marty_platform.generators import staging

CATALOG = "catalog/services.yaml"


def _service(name: str, *, port: int = 8095, team: str = "credentials",
             dependencies: str = "[document-signer]") -> str:
    return (f"  - name: {name}\n    protocol: grpc\n    port: {port}\n    team: {team}\n"
            f"    database: false\n    dependencies: {dependencies}\n")


def _append(repo: Path, text: str) -> int:
    """Append services to the catalog; the 1-based line of the first appended name."""
    path = repo / CATALOG
    before = path.read_text()
    path.write_text(before + text)
    return before.count("\n") + 1


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".cache" not in p.parts}


def test_a_name_leaving_the_repo_is_refused_before_anything_is_written(run_cli, repo_copy):
    line = _append(repo_copy, _service("../../../gen-escape"))
    before = _tree(repo_copy.parent)

    outcome = run_cli("generate", cwd=repo_copy)

    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert f"{CATALOG}:{line}" in outcome.stderr and "catalog/schema" in outcome.stderr
    assert "nothing was written" in outcome.stderr
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    assert _tree(repo_copy.parent) == before


def test_a_dependency_typo_is_a_located_finding_not_a_key_error(run_cli, repo_copy):
    path = repo_copy / CATALOG
    text = path.read_text()
    assert "    dependencies: [kafka, postgresql]\n" in text
    line = text[:text.index("    dependencies: [kafka, postgresql]\n")].count("\n") + 1
    path.write_text(text.replace("    dependencies: [kafka, postgresql]\n",
                                 "    dependencies: [kafka, postgresql, credential-ledgr]\n", 1))

    generate = run_cli("generate", cwd=repo_copy)
    assert generate.code == 1, generate.stdout + generate.stderr
    assert "KeyError" not in generate.stderr and "internal error" not in generate.stderr
    assert f"{CATALOG}:{line}" in generate.stderr
    assert "'credential-ledgr'" in generate.stderr and "did you mean 'credential-ledger'" \
        in generate.stderr

    validate = run_cli("validate", "--format", "json", CATALOG, cwd=repo_copy)
    assert validate.code == 1, validate.stdout + validate.stderr
    [item] = validate.findings(check="catalog", rule="unknown-dependency")
    assert (item["file"], item["line"]) == (CATALOG, line)
    assert not validate.findings(rule="internal-error")


@pytest.mark.parametrize("services, rule", [
    (_service("trust-anchor", port=8096), "duplicate-service"),
    (_service("vds-engine", dependencies="[vds-engine]"), "self-dependency"),
    (_service("vds-engine", team="credentails"), "unknown-team"),
    (_service("vds-engine", dependencies="[document-signer, postgresql]"), "database-dependency"),
], ids=["duplicate", "self", "team", "database"])
def test_catalog_references_are_checked(run_cli, repo_copy, services, rule):
    line = _append(repo_copy, services)
    before = _tree(repo_copy)

    generate = run_cli("generate", cwd=repo_copy)
    assert generate.code == 1, generate.stdout + generate.stderr
    assert f"catalog/{rule}" in generate.stderr
    assert _tree(repo_copy) == before

    validate = run_cli("validate", "--format", "json", CATALOG, cwd=repo_copy)
    [item] = validate.findings(check="catalog", rule=rule)
    assert item["file"] == CATALOG and line <= item["line"] <= line + 5


@pytest.mark.skipif(not (TOOLS_BIN / "sloth").is_file(), reason="sloth is not installed")
def test_a_generator_failing_half_way_leaves_the_repo_as_it_was(run_cli, repo_copy):
    """The catalog generator scaffolds a new service; Sloth then rejects an SLO spec. Nothing of
    the first part may remain."""
    _append(repo_copy, _service("vds-engine"))
    spec = repo_copy / "monitoring" / "slo" / "ui-app.yaml"
    spec.write_text(spec.read_text().replace("objective: ", "objective: 140 #", 1))
    before = _tree(repo_copy)

    outcome = run_cli("generate", cwd=repo_copy)

    assert outcome.code == 2, outcome.stdout + outcome.stderr
    assert "monitoring/slo/ui-app.yaml" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert _tree(repo_copy) == before
    assert not (repo_copy / "overlays" / "dev" / "vds-engine").exists()


def test_applying_generated_files_is_undone_when_one_cannot_be_written(tmp_path):
    """The last step, copying the generated files into the repo, restores what it already
    replaced when a later file cannot be written (here a file stands where a directory must)."""
    root, copy = tmp_path / "repo", tmp_path / "copy"
    for tree in (root, copy):
        tree.mkdir()
    (root / "a.yaml").write_text("old\n")
    (root / "x").write_text("a file, not a directory\n")
    (copy / "a.yaml").write_text("new\n")
    (copy / "x").mkdir()
    (copy / "x" / "y.yaml").write_text("generated\n")
    todo = staging.changes(root, copy)
    assert (todo.written, todo.removed) == (["a.yaml", "x/y.yaml"], ["x"])

    with pytest.raises(UsageError, match="left as it was"):
        staging.apply(root, copy, todo)

    assert (root / "a.yaml").read_text() == "old\n"
    assert (root / "x").read_text() == "a file, not a directory\n"
    assert sorted(p.name for p in root.iterdir()) == ["a.yaml", "x"]
