"""The rules each check declares: id, default severity and a one-line doc, in one place per check.

A module that reports findings under a check name declares that check's rules once:

    RULES = declare("terraform", "Terraform formatting and syntax (`terraform fmt`).",
                    Rule("fmt", "a file is not in canonical format"), ...)

`model.finding` looks every (check, rule) up here: an undeclared one raises `UndeclaredRule`
(inside a check the engine turns that into an `internal-error` finding, never a silent pass),
and a finding created without a severity gets the rule's declared default. `docs/checks.md` is
generated from these declarations (generators/check_docs.py).

A check whose rule ids come from data rather than code (the policies' metadata.yaml) declares
`open_rules`, naming where its ids are documented.

A check that reports an external scanner's findings (gitleaks, bandit, zizmor) keeps the
scanner's own rule ids, which change with the pinned version and its config: it declares
`scanner_rules`, one `ScannerRules(prefix, source)` per scanner. A rule id `<prefix><id>` (one
path segment: letters, digits, `.`, `_`, `-`) is then declared, and `docs/checks.md` says where
the scanner documents it; any other undeclared id still raises UndeclaredRule.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

from marty_platform.model import Severity

# Every module holding a `declare(...)`: importing them fills the registry. `checks` imports
# each check module.
DECLARING_MODULES = ("marty_platform.checks", "marty_platform.render", "marty_platform.waivers",
                     "marty_platform.promote", "marty_platform.security.history",
                     "marty_platform.security.dependencies", "marty_platform.security.licences",
                     "marty_platform.security.coverage", "marty_platform.security.pylock")


@dataclass(frozen=True)
class Rule:
    id: str
    doc: str
    severity: Severity = Severity.ERROR


# Any check's own failure (a bug in it, or an undeclared rule) is reported under this id.
INTERNAL_ERROR = Rule("internal-error", "the check itself failed; report it as a bug")


@dataclass(frozen=True)
class ScannerRules:
    prefix: str  # "gitleaks/"
    source: str  # where the scanner documents its rule ids (Markdown)


_SCANNER_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Declaration:
    check: str
    doc: str
    module: str
    rules: dict[str, Rule] = field(default_factory=dict)
    open_rules: str = ""  # where rule ids not listed here are declared (policy metadata)
    scanner_rules: tuple[ScannerRules, ...] = ()

    def scanner_rule(self, rule: str) -> bool:
        """Whether `rule` is one of a declared scanner's own rule ids."""
        return any(rule.startswith(s.prefix) and _SCANNER_RULE_ID.fullmatch(rule[len(s.prefix):])
                   for s in self.scanner_rules)


class UndeclaredRule(Exception):
    """A finding named a (check, rule) no module declares: a bug in the tooling."""


_REGISTRY: dict[str, Declaration] = {}
_loaded = False


def declare(check: str, doc: str, *rules: Rule, open_rules: str = "",
            scanner_rules: tuple[ScannerRules, ...] = (), module: str = "") -> Declaration:
    by_id: dict[str, Rule] = {}
    for rule in (*rules, INTERNAL_ERROR):
        if by_id.get(rule.id, rule) != rule:
            raise ValueError(f"check {check!r} declares rule {rule.id!r} twice, differently")
        by_id[rule.id] = rule
    declaration = Declaration(check, doc, module, dict(sorted(by_id.items())), open_rules,
                              tuple(scanner_rules))
    if check in _REGISTRY and _REGISTRY[check].module != module:
        raise ValueError(f"check {check!r} is declared in {_REGISTRY[check].module} and {module}")
    _REGISTRY[check] = declaration
    return declaration


def _load() -> None:
    global _loaded
    if not _loaded:
        for name in DECLARING_MODULES:
            importlib.import_module(name)
        _loaded = True


def declarations() -> list[Declaration]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda d: d.check)


def rule_of(check: str, rule: str) -> Rule | None:
    """The declared rule; None for an open check's data-declared rule; raises UndeclaredRule."""
    if rule == INTERNAL_ERROR.id:  # a check's own failure is always reportable
        return INTERNAL_ERROR
    if check not in _REGISTRY or rule not in _REGISTRY[check].rules:
        _load()
    declaration = _REGISTRY.get(check)
    if declaration is None:
        raise UndeclaredRule(f"check {check!r} is not declared (rule {rule!r})")
    if rule in declaration.rules:
        return declaration.rules[rule]
    if declaration.open_rules or declaration.scanner_rule(rule):
        return None
    raise UndeclaredRule(f"check {check!r} does not declare rule {rule!r}")


def is_scanner_rule(check: str, rule: str) -> bool:
    """Whether `rule` is a scanner's own rule id, reported by `check`."""
    _load()
    declaration = _REGISTRY.get(check)
    return bool(declaration and declaration.scanner_rule(rule))


def is_scanner_rule_id(rule: str) -> bool:
    """Whether `rule` has the shape of a rule id of any declared scanner."""
    return any(d.scanner_rule(rule) for d in declarations())
