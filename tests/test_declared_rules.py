"""Every rule a check can report is declared once (id, default severity, doc), listed in
docs/checks.md, and a finding naming an undeclared rule cannot be made."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from harness import BROKEN, ROOT
from marty_platform import model, rules
from marty_platform.policy_library import PolicyLibrary

PACKAGE = ROOT / "scripts" / "marty_platform"
CHECKS_DOC = ROOT / "docs" / "checks.md"
# Problem records whose third argument is a rule id, and the checks that report them.
PROBLEMS = {"Refusal": ("kustomize",), "_problem": ("kustomize",),
            "ChartProblem": ("kustomize", "helm")}


def _declared(check: str, rule: str) -> bool:
    try:
        declared = rules.rule_of(check, rule)
    except rules.UndeclaredRule:
        return False
    if declared is None and rules.is_scanner_rule(check, rule):  # a scanner's own rule id
        return True
    if declared is None:  # an open check: its ids are the policy library's
        return rule in PolicyLibrary.load(ROOT / "policies").rules
    return True


def _module_constants(tree: ast.Module) -> dict[str, str]:
    return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def _literal(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Attribute) and node.attr == "CHECK":  # validation.CHECK
        return "catalog" if getattr(node.value, "id", "") == "validation" else None
    return None


def emitted_in_source() -> set[tuple[str, str, str]]:
    """(file, check, rule) of every `finding(check, rule, ...)` and monitoring
    `Finding(file, line, rule, ...)` call whose check and rule are literals."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "finding" and len(node.args) >= 2:
                check, rule = (_literal(node.args[0], constants),
                               _literal(node.args[1], constants))
            elif name == "Finding" and "monitoring" in path.parts and len(node.args) >= 3:
                check, rule = "monitoring", _literal(node.args[2], constants)
            elif name in PROBLEMS and len(node.args) >= 3:
                for check in PROBLEMS[name]:
                    if _literal(node.args[2], constants):
                        found.add((rel, check, _literal(node.args[2], constants)))
                continue
            else:
                continue
            if check and rule:
                found.add((rel, check, rule))
    return found


def test_the_source_scan_sees_the_checks():
    checks = {check for _, check, _ in emitted_in_source()}
    assert {"yaml", "kustomize", "kubeconform", "monitoring", "catalog", "waivers",
            "promote", "terraform", "schema", "helm", "gitops", "size"} <= checks


def test_every_finding_in_the_source_names_a_declared_rule():
    undeclared = sorted(item for item in emitted_in_source() if not _declared(*item[1:]))
    assert not undeclared, undeclared


def test_an_undeclared_rule_cannot_be_reported():
    with pytest.raises(rules.UndeclaredRule):
        model.finding("yaml", "no-such-rule", "message")
    with pytest.raises(rules.UndeclaredRule):
        model.finding("no-such-check", "syntax", "message")


def test_the_declared_severity_is_stamped():
    assert model.finding("waivers", "unused-waiver", "m").severity is model.Severity.WARNING
    assert model.finding("yaml", "syntax", "m").severity is model.Severity.ERROR
    assert model.finding("yaml", "syntax", "m", severity=model.Severity.INFO).severity \
        is model.Severity.INFO


def test_check_docs_list_every_declared_rule():
    text = CHECKS_DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, re.M | re.S))
    for declaration in rules.declarations():
        assert declaration.check in sections, declaration.check
        listed = set(re.findall(r"^\| `([^`]+)` \|", sections[declaration.check], re.M))
        assert listed == set(declaration.rules), declaration.check


def test_every_check_module_is_named_after_the_check_it_declares():
    import sys

    from marty_platform import checks

    for check in {*checks.PYTHON_REPO_CHECKS, *checks.TOOL_REPO_CHECKS, *checks.MANIFEST_CHECKS,
                  *checks.SERVER_CHECKS}:
        module = check.__module__.rsplit(".", 1)[-1]
        assert sys.modules[check.__module__].RULES.check.replace("-", "_") == module, module
        assert checks.check_id(check) in {d.check for d in rules.declarations()}


def _undeclared_in(outcome) -> list[tuple[str, str]]:
    return sorted({(f["check"], f["rule"]) for f in outcome.json["findings"]
                   if not _declared(f["check"], f["rule"]) or f["rule"] == "internal-error"})


def test_broken_fixtures_report_only_declared_rules(run_cli):
    outcome = run_cli("validate", "--format", "json", str(BROKEN))
    assert outcome.code == 1, outcome.stderr
    assert len({f["check"] for f in outcome.json["findings"]}) >= 3
    assert not _undeclared_in(outcome)


def test_the_whole_repo_reports_only_declared_rules(repo_validation):
    assert not _undeclared_in(repo_validation), repo_validation.stderr


def test_a_binding_with_an_undeclared_rule_is_a_finding(run_cli, repo_copy: Path):
    bindings = repo_copy / "schemas" / "bindings.yaml"
    bindings.write_text(bindings.read_text(encoding="utf-8").replace(
        "rule: drift-ignore", "rule: drift-ignored"), encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", "schemas/bindings.yaml", cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = outcome.findings(check="schema", rule="bindings")
    assert "'drift-ignored'" in item["message"]
    assert not outcome.findings(rule="internal-error")
