"""What the Rego policy library in policies/ declares: packages and rule metadata.

Every file here is a pull request's to write. Reading it never fails: a Rego file that is not UTF-8
is conftest's to reject (OPA refuses it, the policy check reports that), and a metadata.yaml of the
wrong shape is the generated check's finding (generators/policy_docs.py); a rule whose severity is
not one validation knows counts as an error, never as less.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform.model import Severity
from marty_platform.repo import inside
from marty_platform.yamlio import YamlError, load_one

_PACKAGE = re.compile(r"^package\s+([A-Za-z0-9_.]+)", re.MULTILINE)
# conftest's own built-ins that read a file named by the policy, relative to the policy's
# directory: `../` leads anywhere on the machine, and a deny message can quote what was read.
# They are bare names (no ref can spell them another way), so a policy calling one names it.
HOST_FILE_BUILTINS = ("parse_config_file", "parse_combined_config_files")
_HOST_FILE_CALL = re.compile(r"\b(" + "|".join(HOST_FILE_BUILTINS) + r")\b")


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
    # (file, line, built-in) for each use of a built-in that reads a file of the machine.
    host_file_reads: list[tuple[Path, int, str]] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> "PolicyLibrary":
        library = cls(root)
        if not root.is_dir():
            return library
        for rego in inside(root.parent, root.rglob("*.rego")):
            try:
                text = rego.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                continue  # the policy check runs conftest on it, which says why
            library.host_file_reads += [(rego, text.count("\n", 0, use.start()) + 1, use.group())
                                        for use in _HOST_FILE_CALL.finditer(text)]
            if rego.name.endswith("_test.rego"):
                continue
            for package in _PACKAGE.findall(text):
                target = {"k8s": library.object_namespaces,
                          "k8s_combined": library.combined_namespaces,
                          "terraform": library.terraform_namespaces}.get(package.split(".")[0])
                if target is not None and package not in target:
                    target.append(package)
        for meta in inside(root.parent, root.glob("*/metadata.yaml")):
            try:
                data = load_one(meta) or {}
            except (OSError, YamlError):
                continue  # the yaml check reports it
            rules = data.get("rules") if isinstance(data, dict) else None
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, dict) and isinstance(rule.get("id"), str) and rule["id"]:
                    library.rules[rule["id"]] = RuleInfo(rule["id"], _severity(rule),
                                                         str(rule.get("title") or ""))
        return library

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def exceptions_file(self) -> Path:
        return self.root / "exceptions.yaml"


def _severity(rule: dict) -> str:
    severity = rule.get("severity", Severity.ERROR.value)
    return severity if severity in {s.value for s in Severity} else Severity.ERROR.value
