"""docs/services.md carries the catalog's dependency map as a Mermaid flowchart, kept fresh by
`scripts/generate` like the rest of the page."""
from __future__ import annotations

import re

from content_helpers import ROOT

from marty_platform import catalog


def _mermaid(text: str) -> str:
    match = re.search(r"## Dependency map\n.*?```mermaid\n(.*?)```", text, re.S)
    assert match, "docs/services.md has no dependency map"
    return match.group(1)


def test_every_catalog_dependency_is_an_edge():
    graph = _mermaid((ROOT / "docs" / "services.md").read_text())
    edges = set(re.findall(r"^  (\w+) --> (\w+)$", graph, re.M))
    services = catalog.load(ROOT)
    expected = {(f"n_{s.name.replace('-', '_')}", f"n_{d.replace('-', '_')}")
                for s in services for d in s.dependencies}
    expected |= {("ingress", f"n_{s.name.replace('-', '_')}") for s in services if s.public}
    assert edges == expected
    assert graph.startswith("flowchart LR\n")


def test_a_changed_dependency_makes_the_map_stale(run_cli, repo_copy):
    services = repo_copy / "catalog" / "services.yaml"
    text = services.read_text()
    new = re.sub(r"(name: credential-ledger\n(?:    .*\n)*?    dependencies: \[)kafka, ",
                 r"\1", text, count=1)
    assert new != text
    services.write_text(new)
    outcome = run_cli("generate", "--check", cwd=repo_copy)
    assert outcome.code == 1
    assert "docs/services.md" in outcome.stdout + outcome.stderr
