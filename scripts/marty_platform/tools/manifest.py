"""Reads tools.toml, the one manifest of pinned tool versions."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.errors import ToolError


@dataclass(frozen=True)
class ToolPin:
    name: str
    module: str
    version: str
    package: str = ""
    smoke: tuple[str, ...] = ()

    @property
    def install_target(self) -> str:
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
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolError(f"{path}: tool manifest not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(f"{path}: {exc}") from None
    tools = {
        name: ToolPin(name=name, module=spec["module"], version=spec["version"],
                      package=spec.get("package", ""), smoke=tuple(spec.get("smoke", ())))
        for name, spec in raw.get("tools", {}).items()
    }
    pytools = {name: PyToolPin(name=name, requirement=spec["requirement"],
                               smoke=tuple(spec.get("smoke", ())))
               for name, spec in raw.get("pytools", {}).items()}
    if any("==" not in pin.requirement for pin in pytools.values()):
        raise ToolError(f"{path}: every [pytools] requirement is pinned exactly (==)")
    return Manifest(tools=tools,
                    kubernetes_schemas_version=raw["schemas"]["kubernetes"]["version"],
                    go_fallback=raw.get("go", {}).get("fallback", ""), pytools=pytools)
