"""Reads tools.toml, the one manifest of pinned tool versions."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.errors import ToolError


# When a tool is built: `validate` tools by every `make bootstrap`; the others only by the command
# that needs them (`make test` builds every stage but `release`, the release workflow's image
# scanner), so `make validate` never waits for them.
STAGES = ("validate", "test", "server", "release")


@dataclass(frozen=True)
class ToolPin:
    name: str
    module: str
    version: str
    package: str = ""
    smoke: tuple[str, ...] = ()
    stage: str = "validate"
    # A committed Go module directory (go.mod + go.sum) to build `package` in, for tools whose own
    # go.mod has `replace` directives, which `go install module@version` refuses.
    gomod: str = ""
    ldflags: tuple[str, ...] = ()

    @property
    def install_target(self) -> str:
        if self.gomod:
            return f"{self.package or '.'} in {self.gomod}"
        path = f"{self.module}/{self.package}" if self.package else self.module
        return f"{path}@{self.version}"


@dataclass(frozen=True)
class PyToolPin:
    """A tool from PyPI whose dependencies cannot share the tooling's virtualenv (checkov pins
    its own): installed into a virtualenv of its own under .tools/venvs/<name>, its program
    linked into .tools/bin like the Go tools."""

    name: str
    requirement: str  # "checkov==3.3.30"
    smoke: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        return self.requirement.partition("==")[2]


@dataclass(frozen=True)
class Manifest:
    tools: dict[str, ToolPin]
    kubernetes_schemas_version: str
    go_fallback: str = ""  # pip requirement providing Go where none is installed
    pytools: dict[str, PyToolPin] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Changes whenever any pinned version changes; part of every cache key."""
        pins = sorted(f"{t.name}={t.version}" for t in [*self.tools.values(),
                                                         *self.pytools.values()])
        return ";".join(pins + [f"k8s-schemas={self.kubernetes_schemas_version}"])


def load_manifest(path: Path) -> Manifest:
    """The pins of tools.toml; a manifest of the wrong shape is a ToolError naming the file, never
    a crash (the file is a pull request's to edit)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolError(f"{path}: tool manifest not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ToolError(f"{path}: {exc}") from None
    try:
        return _manifest(path, raw)
    except (KeyError, TypeError, AttributeError) as exc:
        what = f"no {exc.args[0]}" if isinstance(exc, KeyError) else "a table of the wrong shape"
        raise ToolError(f"{path}: malformed tool manifest ({what})") from None


def _manifest(path: Path, raw: dict) -> Manifest:
    tools = {name: _pin(path, name, spec) for name, spec in raw.get("tools", {}).items()}
    pytools = {name: PyToolPin(name=name, requirement=spec["requirement"],
                               smoke=tuple(spec.get("smoke", ())))
               for name, spec in raw.get("pytools", {}).items()}
    if any("==" not in pin.requirement for pin in pytools.values()):
        raise ToolError(f"{path}: every [pytools] requirement is pinned exactly (==)")
    return Manifest(tools=tools,
                    kubernetes_schemas_version=raw["schemas"]["kubernetes"]["version"],
                    go_fallback=raw.get("go", {}).get("fallback", ""), pytools=pytools)


def _pin(path: Path, name: str, spec: dict) -> ToolPin:
    try:
        pin = ToolPin(name=name, module=spec["module"], version=spec["version"],
                      package=spec.get("package", ""), smoke=tuple(spec.get("smoke", ())),
                      stage=spec.get("stage", "validate"), gomod=spec.get("gomod", ""),
                      ldflags=tuple(spec.get("ldflags", ())))
    except KeyError as exc:
        raise ToolError(f"{path}: [tools.{name}] has no {exc.args[0]}") from None
    if pin.stage not in STAGES:
        raise ToolError(f"{path}: [tools.{name}] stage {pin.stage!r} is not one of "
                        f"{', '.join(STAGES)}")
    if pin.gomod and (Path(pin.gomod).is_absolute() or ".." in Path(pin.gomod).parts):
        raise ToolError(f"{path}: [tools.{name}] gomod must be a directory inside the repository")
    return pin


def stages_for(stage: str) -> tuple[str, ...]:
    """The stages a bootstrap for `stage` installs: `make test` needs every tool the tests run
    (not the release workflow's); the others need their own and the validate ones."""
    if stage == "test":
        return tuple(s for s in STAGES if s != "release")
    return tuple(dict.fromkeys(("validate", stage)))
