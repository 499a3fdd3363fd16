"""Waivers: a reviewed, expiring exception to one policy rule for one named resource, or to one
scanner rule (gitleaks, bandit, zizmor) for one file.

A waiver is deliberately weak: it names one policy rule (from policies/*/metadata.yaml) and one
object by kind, name and namespace, exactly; or one scanner rule id (`gitleaks/<id>`, declared
through the check's `scanner_rules`) and one repo-relative file, exactly. It never touches a
parse, render, schema or tooling finding: those mean the input was not checked at all. The
exceptions file is checked against its JSON schema in every mode, and an entry that fails it is
reported and ignored. The schema is in the repo too, so a pull request can loosen it: each entry is
also checked here for what a waiver is made of, and one that is not a waiver is reported
(`invalid-waiver`) and ignored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from marty_platform import rules
from marty_platform.model import Finding, Severity, finding
from marty_platform.repo import Repo
from marty_platform.rules import Rule, declare
from marty_platform.schema_check import schema_findings
from marty_platform.yamlio import YamlError, load_file, locate_pointer

CHECK = "waivers"
SCHEMA = "schemas/policy-exceptions.schema.json"
SCHEMA_RULE = "policy-exceptions"  # the rule schemas/bindings.yaml gives this file
RULES = declare(
    CHECK, "Waivers of policy findings (policies/exceptions.yaml).",
    Rule("invalid-waiver", "a waiver names a rule that is not a policy or scanner rule"),
    Rule("expired-waiver", "a waiver is past its expiry date"),
    Rule("unused-waiver", "a waiver matches no finding", Severity.WARNING),
    module=__name__)
# The checks whose findings are policy rule violations: the only ones a waiver may turn to info.
POLICY_CHECKS = ("policy",)


@dataclass(frozen=True)
class Waiver:
    rule: str
    kind: str
    namespace: str  # "" for a cluster-scoped object
    name: str
    env: str
    justification: str
    owner: str
    expires: dt.date
    line: int | None
    file: str = ""  # a scanner rule's waiver: the file, instead of an object

    def matches(self, item: Finding) -> bool:
        if self.file:
            return item.rule == self.rule and item.file == self.file and \
                (not self.env or item.env == self.env) and \
                rules.is_scanner_rule(item.check, item.rule)
        if item.check not in POLICY_CHECKS or item.rule != self.rule:
            return False
        if self.env and item.env != self.env:
            return False
        kind, namespace, name = (item.resource.split("/") + ["", "", ""])[:3]
        namespace = "" if namespace == "-" else namespace
        return (kind, namespace, name) == (self.kind, self.namespace, self.name)


def load_waivers(repo: Repo, path: Path, policy_rules: set[str]) -> tuple[list[Waiver],
                                                                         list[Finding]]:
    """The valid waivers of the exceptions file, and a finding for every problem in it."""
    rel = repo.rel(path)
    if not path.is_file():
        return [], []
    try:
        docs = load_file(path)
    except YamlError as exc:
        return [], [finding("yaml", exc.rule, exc.message, file=rel, line=exc.line)]
    except OSError as exc:
        return [], [finding("yaml", "unreadable", f"cannot read file: {exc.strerror}", file=rel)]
    if len(docs) > 1:
        return [], [finding("schema", SCHEMA_RULE, f"expected one YAML document, found "
                            f"{len(docs)}", file=rel, line=docs[1].line)]
    doc = docs[0] if docs else None
    problems = schema_findings(repo, path, doc, SCHEMA, SCHEMA_RULE)
    findings = [item for _, item in problems]
    invalid = {where[1] for where, _ in problems if len(where) >= 2 and where[0] == "exceptions"}
    if any(len(where) < 2 for where, _ in problems):
        return [], findings  # the file as a whole is wrong: no entry is trusted
    waivers = []
    entries = doc.data.get("exceptions") if doc and isinstance(doc.data, dict) else []
    if not isinstance(entries, list):
        return [], [*findings, finding(CHECK, "invalid-waiver", "`exceptions` must be a list of "
                                       "waivers", file=rel, line=doc.line if doc else None)]
    for index, entry in enumerate(entries):
        if index in invalid:
            continue
        line = locate_pointer(path, doc.line, f"/exceptions/{index}")
        problem = _not_a_waiver(entry)
        if problem:
            findings.append(finding(CHECK, "invalid-waiver", f"not a waiver: {problem}",
                                    file=rel, line=line))
            continue
        if "file" in entry:
            if not rules.is_scanner_rule_id(entry["rule"]):
                findings.append(finding(
                    CHECK, "invalid-waiver",
                    f"{entry['rule']} is not a scanner rule id (see docs/checks.md); a waiver "
                    "naming a file applies to a scanner rule only", file=rel,
                    line=locate_pointer(path, doc.line, f"/exceptions/{index}/rule")))
                continue
            waivers.append(Waiver(
                rule=entry["rule"], kind="", namespace="", name="", env=entry.get("env", ""),
                justification=entry["justification"], owner=entry["owner"],
                expires=dt.date.fromisoformat(entry["expires"]), line=line, file=entry["file"]))
            continue
        if entry["rule"] not in policy_rules:
            findings.append(finding(
                CHECK, "invalid-waiver",
                f"{entry['rule']} is not a policy rule (see docs/policies.md); waivers apply "
                "only to policy rules, never to parse, render, schema or tooling findings",
                file=rel, line=locate_pointer(path, doc.line, f"/exceptions/{index}/rule")))
            continue
        resource = entry["resource"]
        waivers.append(Waiver(
            rule=entry["rule"], kind=resource["kind"], namespace=resource.get("namespace", ""),
            name=resource["name"], env=entry.get("env", ""),
            justification=entry["justification"], owner=entry["owner"],
            expires=dt.date.fromisoformat(entry["expires"]), line=line))
    return waivers, findings


def _not_a_waiver(entry: object) -> str | None:
    """What keeps `entry` from being a waiver, whatever the schema allows; None for a waiver."""
    if not isinstance(entry, dict):
        return "an entry must be a mapping"
    wanted = ["rule", "justification", "owner", "expires", "file" if "file" in entry else
              "resource"]
    missing = [key for key in wanted if key not in entry]
    if missing:
        return f"missing {', '.join(missing)}"
    texts = ["rule", "justification", "owner", "expires", *(["file"] if "file" in entry else [])]
    if "env" in entry:
        texts.append("env")
    wrong = [key for key in texts if not isinstance(entry[key], str)]
    if "resource" in wanted:
        resource = entry["resource"]
        if not isinstance(resource, dict) or not all(
                isinstance(resource.get(key), str) for key in ("kind", "name")) or \
                not isinstance(resource.get("namespace", ""), str):
            wrong.append("resource (kind, name and an optional namespace)")
    if wrong:
        return f"{', '.join(wrong)} must be text"
    try:
        dt.date.fromisoformat(entry["expires"])
    except ValueError:
        return f"expires {entry['expires']!r} is not a date (YYYY-MM-DD)"
    return None


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
        where = dict(file=rel, line=waiver.line, resource=waiver.file or (
            f"{waiver.kind}/{waiver.namespace or '-'}/{waiver.name}"))
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
