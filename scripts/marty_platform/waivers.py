"""Waivers: a reviewed, expiring exception to one policy rule for one named resource."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from marty_platform.model import Finding, Severity, finding
from marty_platform.yamlio import YamlError, load_file

CHECK = "waivers"


@dataclass(frozen=True)
class Waiver:
    rule: str
    kind: str
    namespace: str
    name: str
    env: str
    justification: str
    owner: str
    expires: dt.date
    line: int | None

    def matches(self, item: Finding) -> bool:
        if item.rule != self.rule or (self.env and item.env != self.env):
            return False
        kind, namespace, name = (item.resource.split("/") + ["", "", ""])[:3]
        namespace = "" if namespace == "-" else namespace
        return (self.kind in ("*", kind) and self.name in ("*", name)
                and self.namespace in ("*", namespace))


def _entry_lines(path: Path) -> list[int]:
    """1-based line of each `- rule:` list entry, to point findings at the waiver."""
    lines = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text.lstrip().startswith("- ") and "rule:" in text:
            lines.append(number)
    return lines


def load_waivers(path: Path, rel: str) -> tuple[list[Waiver], list[Finding]]:
    """Waivers from the exceptions file; structural problems are left to its JSON schema."""
    if not path.is_file():
        return [], []
    try:
        docs = load_file(path)
    except YamlError:
        return [], []  # the yaml check reports it
    data = docs[0].data if docs else {}
    entries = data.get("exceptions") if isinstance(data, dict) else None
    lines = _entry_lines(path)
    waivers, findings = [], []
    for index, entry in enumerate(entries or []):
        line = lines[index] if index < len(lines) else None
        try:
            resource = entry["resource"]
            expires = entry["expires"]
            if isinstance(expires, str):
                expires = dt.date.fromisoformat(expires)
            if not entry.get("justification") or not entry.get("owner"):
                raise KeyError("justification")
            waivers.append(Waiver(
                rule=entry["rule"], kind=resource.get("kind", "*"),
                namespace=resource.get("namespace", "*"), name=resource["name"],
                env=entry.get("env", ""), justification=entry["justification"],
                owner=entry["owner"], expires=expires, line=line))
        except (KeyError, TypeError, ValueError, AttributeError):
            findings.append(finding(CHECK, "invalid-waiver",
                                    "waiver needs rule, resource.name, justification, owner and "
                                    "expires (YYYY-MM-DD); it is ignored", file=rel, line=line))
    return waivers, findings


def apply_waivers(findings: list[Finding], waivers: list[Waiver], today: dt.date, rel: str,
                  report_unused: bool) -> list[Finding]:
    """Findings with waived ones marked, plus findings for expired and unused waivers."""
    used: set[Waiver] = set()
    result = []
    for item in findings:
        waiver = next((w for w in waivers if w.matches(item)), None)
        if waiver is None:
            result.append(item)
            continue
        used.add(waiver)
        if waiver.expires < today:
            result.append(replace(item, message=f"{item.message} (waiver expired "
                                                f"{waiver.expires.isoformat()})"))
        else:
            result.append(replace(item, severity=Severity.INFO,
                                  message=f"{item.message} [waived until "
                                          f"{waiver.expires.isoformat()} by {waiver.owner}: "
                                          f"{waiver.justification}]"))
    for waiver in waivers:
        where = dict(file=rel, line=waiver.line, resource=f"{waiver.kind}/{waiver.namespace}/"
                                                          f"{waiver.name}")
        if waiver.expires < today:
            result.append(finding(CHECK, "expired-waiver",
                                  f"waiver for {waiver.rule} expired on "
                                  f"{waiver.expires.isoformat()}; renew it with a new "
                                  "justification or fix the resource", **where))
        elif report_unused and waiver not in used:
            result.append(finding(CHECK, "unused-waiver",
                                  f"waiver for {waiver.rule} matches no finding; remove it",
                                  severity=Severity.WARNING, **where))
    return result
