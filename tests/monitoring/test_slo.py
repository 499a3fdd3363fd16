"""SLO specs: coverage, schema, and generated rules in sync with Sloth's output."""
from __future__ import annotations

import pytest

from marty_platform.monitoring import slo, slo_specs
from marty_platform.monitoring.layout import generated_rule_file


def test_every_catalog_service_has_an_slo(repo):
    assert slo.services_without_slo(repo) == []
    assert len(slo_specs.catalog_services(repo)) == 11


def test_specs_match_the_schema(repo):
    assert slo_specs.check_specs(repo) == []


def test_generated_rules_are_up_to_date(repo, tools):
    assert slo.generate(check=True, root=repo, tools=tools) == []
    assert slo.check_generated(repo, tools) == []


def test_edited_spec_makes_its_rules_stale_until_regenerated(scratch, tools):
    spec = scratch / "monitoring" / "slo" / "ui-app.yaml"
    target = scratch / generated_rule_file("ui-app")
    before = target.read_text()
    spec.write_text(spec.read_text().replace("objective: 99.5", "objective: 99.9", 1))

    assert slo.generate(check=True, root=scratch, tools=tools) == [target]
    assert target.read_text() == before, "check mode must not write"
    assert [(f.file, f.rule) for f in slo.check_generated(scratch, tools)] == [
        ("monitoring/rules/generated/slo-ui-app.yaml", "slo-stale")]

    assert slo.generate(check=False, root=scratch, tools=tools) == [target]
    assert "(14.4 * 0.000999" in target.read_text() or "(14.4 * 0.001" in target.read_text()
    assert slo.generate(check=True, root=scratch, tools=tools) == []


def test_orphaned_generated_file_is_stale_and_removed(scratch, tools):
    (scratch / "monitoring" / "slo" / "ui-app.yaml").unlink()
    orphan = scratch / generated_rule_file("ui-app")
    assert slo.generate(check=True, root=scratch, tools=tools) == [orphan]
    assert orphan.exists()
    assert slo.generate(check=False, root=scratch, tools=tools) == [orphan]
    assert not orphan.exists()


def test_missing_spec_is_reported(scratch):
    (scratch / "monitoring" / "slo" / "mdoc-engine.yaml").unlink()
    assert slo.services_without_slo(scratch) == ["mdoc-engine"]
    findings = slo_specs.check_specs(scratch)
    assert [(f.file, f.rule) for f in findings] == [("catalog/services.yaml", "slo-missing")]
    assert findings[0].line is not None


@pytest.mark.parametrize(("old", "new", "rule"), [
    ("objective: 99.9\n", "objective: 100.5\n", "slo-schema"),
    ("[{{.window}}]", "[5m]", "slo-schema"),
    ("runbook_url: https://github.com/marty-platform/marty-platform/blob/main/docs/runbooks/",
     "runbook_url: https://wiki.example/", "slo-schema"),
    ("service: document-signer\n", "service: document-signing\n", "slo-file-name"),
])
def test_bad_spec_is_reported(scratch, old, new, rule):
    spec = scratch / "monitoring" / "slo" / "document-signer.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))
    assert rule in {f.rule for f in slo_specs.check_specs(scratch)}


def test_sloth_rejection_is_a_finding(scratch, tools):
    spec = scratch / "monitoring" / "slo" / "ui-app.yaml"
    spec.write_text(spec.read_text().replace("version: prometheus/v1", "version: prometheus/v9"))
    findings = slo.check_generated(scratch, tools)
    assert [(f.file, f.rule) for f in findings] == [("monitoring/slo/ui-app.yaml", "slo-sloth")]
