"""The result of a diff: field changes, per-resource diffs, per-app groups and risk notes."""
from __future__ import annotations

from dataclasses import dataclass, field

from marty_platform.model import ResourceKey

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Change:
    """One field: `before` is None when added, `after` is None when removed."""

    path: str
    before: object = None
    after: object = None

    @property
    def kind(self) -> str:
        if self.before is None:
            return ADDED
        if self.after is None:
            return REMOVED
        return CHANGED


@dataclass
class ResourceDiff:
    key: ResourceKey
    status: str  # added | removed | changed
    changes: list[Change] = field(default_factory=list)
    before: dict | None = None  # normalised, redacted object (for added/removed listings)
    after: dict | None = None

    @property
    def title(self) -> str:
        group = f" ({self.key.group})" if self.key.group else ""
        return f"{self.key}{group}"


@dataclass
class AppDiff:
    env: str
    app: str
    resources: list[ResourceDiff] = field(default_factory=list)
    label: str = ""  # how the app is named in reports, e.g. "dev → staging / web"

    def count(self, status: str) -> int:
        return sum(1 for r in self.resources if r.status == status)

    @property
    def name(self) -> str:
        return self.label or f"{self.env}/{self.app}"


@dataclass(frozen=True)
class Risk:
    env: str
    app: str
    resource: str
    message: str

    def __str__(self) -> str:
        return f"{self.env}/{self.app}: {self.resource}: {self.message}"


@dataclass
class DiffReport:
    title: str
    apps: list[AppDiff] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed_apps(self) -> list[AppDiff]:
        return [a for a in self.apps if a.resources]

    @property
    def has_differences(self) -> bool:
        return bool(self.changed_apps)

    def totals(self) -> dict[str, int]:
        return {s: sum(a.count(s) for a in self.apps) for s in ("added", "removed", "changed")}
