"""What the Rego policy library in policies/ declares: packages and rule metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.yamlio import YamlError, load_one

_PACKAGE = re.compile(r"^package\s+([A-Za-z0-9_.]+)", re.MULTILINE)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    title: str = ""


@dataclass
class PolicyLibrary:
    root: Path
    object_namespaces: list[str] = field(default_factory=list)  # package k8s.*
    combined_namespaces: list[str] = field(default_factory=list)  # package k8s_combined.*
    terraform_namespaces: list[str] = field(default_factory=list)  # package terraform.*
    rules: dict[str, RuleInfo] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> "PolicyLibrary":
        library = cls(root)
        if not root.is_dir():
            return library
        for rego in sorted(root.rglob("*.rego")):
            if rego.name.endswith("_test.rego"):
                continue
            for package in _PACKAGE.findall(rego.read_text(encoding="utf-8")):
                target = {"k8s": library.object_namespaces,
                          "k8s_combined": library.combined_namespaces,
                          "terraform": library.terraform_namespaces}.get(package.split(".")[0])
                if target is not None and package not in target:
                    target.append(package)
        for meta in sorted(root.glob("*/metadata.yaml")):
            try:
                data = load_one(meta) or {}
            except YamlError:
                continue  # the yaml check reports it
            for rule in data.get("rules", []) if isinstance(data, dict) else []:
                if isinstance(rule, dict) and rule.get("id"):
                    library.rules[rule["id"]] = RuleInfo(rule["id"],
                                                         rule.get("severity", "error"),
                                                         rule.get("title", ""))
        return library

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def exceptions_file(self) -> Path:
        return self.root / "exceptions.yaml"
