"""The data model shared by every command: resource identities, findings, check results and the
report of a validation."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class ResourceKey:
    """The one identity of a Kubernetes object across rendering, validation, diffs and drift."""

    kind: str
    namespace: str
    name: str
    group: str = ""

    @classmethod
    def of(cls, obj: dict) -> "ResourceKey":
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        api_version = str(obj.get("apiVersion") or "")
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        return cls(
            kind=str(obj.get("kind") or "?"),
            namespace=str(meta.get("namespace") or ""),
            name=str(meta.get("name") or "?"),
            group=group,
        )

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace or '-'}/{self.name}"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located as precisely as the input allows (1-based line, or None)."""

    file: str
    line: int | None
    env: str
    resource: str
    check: str
    rule: str
    severity: Severity
    message: str

    def to_dict(self) -> dict:
        return {
            "check": self.check,
            "rule": self.rule,
            "severity": self.severity.value,
            "env": self.env,
            "file": self.file,
            "line": self.line,
            "resource": self.resource,
            "message": self.message,
        }


def finding(check: str, rule: str, message: str, *, file: str = "", line: int | None = None,
            env: str = "", resource: str = "", severity: Severity | None = None) -> Finding:
    """A finding of a declared (check, rule) (see rules.py); without `severity`, the rule's
    declared default. An undeclared pair raises rules.UndeclaredRule."""
    from marty_platform import rules  # rules imports this module for Severity

    declared = rules.rule_of(check, rule)
    if severity is None:
        severity = declared.severity if declared else Severity.ERROR
    return Finding(file=file, line=line, env=env, resource=resource, check=check, rule=rule,
                   severity=severity, message=message)


@dataclass
class CheckStats:
    """How many objects (or files) a check looked at, and how many it could not check."""

    checked: int = 0
    not_checked: int = 0

    def add(self, other: "CheckStats") -> None:
        self.checked += other.checked
        self.not_checked += other.not_checked


@dataclass
class CheckResult:
    check: str
    env: str = ""
    findings: list[Finding] = field(default_factory=list)
    stats: CheckStats = field(default_factory=CheckStats)
    rules: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ManifestObject:
    """A rendered Kubernetes object with where it came from."""

    env: str
    source: str  # the overlay directory or manifest file it was rendered from (repo-relative)
    file: str  # the file that defines it, as precisely as known
    line: int | None
    data: dict
    # Kustomization files whose patches changed the object, in the order they ran.
    patched_in: tuple[str, ...] = ()

    @property
    def key(self) -> ResourceKey:
        return ResourceKey.of(self.data)


@dataclass
class Report:
    """What a validation found, with what it looked at."""

    findings: list[Finding] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what path mode selected and skipped

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)
