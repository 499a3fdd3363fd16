"""Every alert's runbook_url resolves to a runbook in docs/runbooks/ named after the alert."""
from __future__ import annotations

from pathlib import Path

from marty_platform.monitoring.alert_rules import load_all
from marty_platform.monitoring.findings import Finding, rel
from marty_platform.monitoring.layout import RUNBOOK_URL_PREFIX, RUNBOOKS_DIR, alert_kebab
from marty_platform.monitoring.rulefiles import Rule
from marty_platform.repo import inside

REQUIRED_SECTIONS = ("## Meaning", "## Impact", "## Diagnosis", "## Mitigation")


def runbook_path(url: str) -> Path | None:
    """docs/runbooks/<name>.md for a runbook URL of this repository, else None."""
    if not url.startswith(RUNBOOK_URL_PREFIX):
        return None
    name = url[len(RUNBOOK_URL_PREFIX):].split("#", 1)[0]
    if not name.endswith(".md") or "/" in name or not name[:-3]:
        return None
    return RUNBOOKS_DIR / name


def check_runbooks(root: Path) -> list[Finding]:
    rules, findings = load_all(root)
    for rule in rules:
        findings.extend(check_rule_runbook(rule, root))
    findings.extend(check_runbook_sections(root))
    return findings


def check_rule_runbook(rule: Rule, root: Path) -> list[Finding]:
    """An alert's runbook_url names docs/runbooks/<alert-kebab>.md, and that file exists."""
    if rule.kind != "alert":
        return []
    file = rel(rule.file, root)
    url = str(rule.annotations.get("runbook_url", "")).strip()
    if not url:
        return []  # alert_rules reports the missing annotation
    target = runbook_path(url)
    if target is None:
        return [Finding(file, rule.line, "runbook-url",
                        f"alert {rule.name}: runbook_url {url!r} is not "
                        f"{RUNBOOK_URL_PREFIX}<name>.md")]
    findings: list[Finding] = []
    if not (root / target).is_file():
        findings.append(Finding(file, rule.line, "runbook-missing",
                                f"alert {rule.name}: {target.as_posix()} does not exist"))
    expected = f"{alert_kebab(rule.name)}.md"
    if target.name != expected:
        findings.append(Finding(file, rule.line, "runbook-name",
                                f"alert {rule.name}: runbook should be {expected}, "
                                f"not {target.name}"))
    return findings


def check_runbook_sections(root: Path) -> list[Finding]:
    """Each runbook explains meaning, impact, diagnosis and mitigation."""
    findings: list[Finding] = []
    directory = root / RUNBOOKS_DIR
    for path in inside(root, directory.glob("*.md")) if directory.is_dir() else []:
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        for section in REQUIRED_SECTIONS:
            if section not in text:
                findings.append(Finding(rel(path, root), None, "runbook-section",
                                        f"no `{section}` section"))
    return findings
