"""Every notification template renders with the real amtool on its sample alert; a broken one is
a finding at the line amtool names."""
from __future__ import annotations

import shutil
from pathlib import Path

from marty_platform.checks import amtool_template

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path("monitoring/alertmanager/templates")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / TEMPLATES, tmp_path / TEMPLATES)
    return tmp_path


def test_one_template_per_receiver_type_and_all_render(tools):
    names = {p.name for p in amtool_template.template_files(REPO_ROOT)}
    assert {"pagerduty.tmpl", "slack.tmpl"} <= names
    findings, rendered = amtool_template.check_templates(REPO_ROOT, tools)
    assert findings == []
    assert rendered >= 5


def test_rendered_text_on_the_sample_alert(amtool, tools, tmp_path):
    completed = tools.run("amtool", "template", "render",
                          f"--template.glob={REPO_ROOT / TEMPLATES}/*.tmpl",
                          '--template.text={{ template "marty.slack.text" . }}', cwd=tmp_path)
    # amtool's sample: two alerts, no summary annotation; every alert gets its own block.
    assert completed.stdout.count("Runbook:") == 2
    assert "Silence or inspect: https://example.com" in completed.stdout


def test_undefined_template_is_a_finding_at_its_line(tools, tmp_path):
    root = _copy(tmp_path)
    slack = root / TEMPLATES / "slack.tmpl"
    slack.write_text(slack.read_text().replace('template "marty.title"', 'template "marty.titel"'))
    findings, _ = amtool_template.check_templates(root, tools)
    assert [(f.rule, f.file) for f in findings] == [("render", (TEMPLATES / "slack.tmpl").as_posix())]
    assert findings[0].line == next(n for n, line in enumerate(slack.read_text().splitlines(), 1)
                                    if "marty.titel" in line)
    assert "marty.titel" in findings[0].message


def test_unknown_function_breaks_every_template(tools, tmp_path):
    root = _copy(tmp_path)
    (root / TEMPLATES / "broken.tmpl").write_text('{{ define "x" }}{{ .Foo | nosuch }}{{ end }}\n')
    findings, _ = amtool_template.check_templates(root, tools)
    assert findings and all(f.file == (TEMPLATES / "broken.tmpl").as_posix() for f in findings)
    assert "nosuch" in findings[0].message
