"""The hashed lock files of every Python package the repo installs (`requirements/*.lock`):
`tooling.lock` for .venv (pyproject.toml's dependencies and all its extras) and one per
`[pytools.<name>]` of tools.toml for that tool's own virtualenv (checkov's). Every install is
`pip install --require-hashes -r <lock>`, so a package whose bytes changed on the index is
refused.

`scripts/lock` compiles them with the pinned uv (`uv pip compile --generate-hashes --universal`,
for every Python version the project supports), which asks the package index: it is the one
command here that needs the network. Each lock records the digest of what it was compiled from;
`scripts/lock --check` (offline; the tests run it on the committed tree) reports a lock whose
source changed since (`python-lock/stale`, at the pin that changed) and a pin the lock lacks.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, finding
from marty_platform.monitoring.findings import line_of
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import Command, network_environment, run

CHECK = "python-lock"
LOCK_DIR = "requirements"
TOOLING_LOCK = f"{LOCK_DIR}/tooling.lock"
# The oldest Python the project supports (pyproject's requires-python): uv resolves for it and
# every later version, with markers where they differ.
PYTHON_FLOOR = "3.11"
RULES = declare(
    CHECK, "The hashed lock files of the Python packages (`requirements/*.lock`, compiled by "
    "`scripts/lock`; checked by `scripts/lock --check`).",
    Rule("stale", "a lock file was compiled from other pins than pyproject.toml's or tools.toml's "
         "now; run `make lock`"),
    Rule("missing", "a lock file is absent, or a requirement in it carries no hash"),
    module=__name__)
_INPUTS = re.compile(r"^# inputs: sha256:([0-9a-f]{64})$", re.MULTILINE)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


@dataclass(frozen=True)
class LockSpec:
    lock: str  # repo-relative lock file
    source: str  # the file whose requirements it compiles: pyproject.toml or tools.toml
    requirements: tuple[str, ...]
    purpose: str  # what installs it, for the lock's header

    @property
    def digest(self) -> str:
        data = json.dumps({"requirements": sorted(self.requirements),
                           "python": PYTHON_FLOOR}, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


def lock_specs(root: Path) -> list[LockSpec]:
    """The lock files the repo needs, from pyproject.toml and tools.toml's [pytools]."""
    project = _toml(root / "pyproject.toml").get("project", {})
    tooling = [*project.get("dependencies", [])]
    for extra in sorted(project.get("optional-dependencies", {})):
        tooling += project["optional-dependencies"][extra]
    specs = [LockSpec(TOOLING_LOCK, "pyproject.toml", tuple(tooling),
                      "the tooling's .venv (the Makefile's venv target): pyproject.toml's "
                      "dependencies and every extra")]
    for name, pytool in sorted(_toml(root / "tools.toml").get("pytools", {}).items()):
        specs.append(LockSpec(f"{LOCK_DIR}/{name}.lock", "tools.toml",
                              (str(pytool.get("requirement", "")),),
                              f"{name}'s own virtualenv (tools.toml [pytools.{name}], "
                              "make bootstrap)"))
    return specs


def lock_for_pytool(root: Path, name: str) -> Path:
    return root / LOCK_DIR / f"{name}.lock"


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path.name}: cannot be read ({exc})") from None


def refresh(root: Path, uv: Path) -> list[str]:
    """Recompiles every lock file with uv; returns the ones written. Every lock is compiled
    before any is written, so a failure leaves them all as they were."""
    compiled_locks: dict[Path, str] = {}
    for spec in lock_specs(root):
        compiled = run(Command(
            # --no-strip-extras: pip's --require-hashes wants `pkg[extra]==version` pinned too.
            argv=(str(uv), "pip", "compile", "-", "--generate-hashes", "--universal",
                  "--python-version", PYTHON_FLOOR, "--no-strip-extras", "--no-header",
                  "--annotation-style", "line", "--quiet",
                  "--cache-dir", str(root / ".cache" / "uv")),
            env=network_environment(), cwd=root, stdin=("\n".join(spec.requirements) + "\n").encode(),
            subject=f"`uv pip compile` of {spec.lock}", timeout=600, root=root)).stdout
        header = (f"# Hashed pins of {spec.purpose}.\n"
                  f"# Compiled from {spec.source} by `scripts/lock` (`make lock`) with the pinned "
                  "uv; do not edit.\n"
                  f"# inputs: sha256:{spec.digest}\n")
        compiled_locks[root / spec.lock] = header + compiled
    for target, text in compiled_locks.items():
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return [str(target.relative_to(root)) for target in compiled_locks]


def check(root: Path) -> CheckResult:
    """Each lock file is present, hashes every requirement, holds every exact pin of its source
    and was compiled from the source's requirements as they are now."""
    result = CheckResult(CHECK)
    for spec in lock_specs(root):
        result.stats.checked += 1
        path = root / spec.lock
        if not path.is_file():
            result.findings.append(finding(CHECK, "missing", f"{spec.lock} is missing; run "
                                           "`make lock`", file=spec.source))
            continue
        text = path.read_text(encoding="utf-8")
        locked = _locked(text)
        source = (root / spec.source).read_text(encoding="utf-8")
        drifted = False
        for requirement in spec.requirements:
            match = _PIN.match(requirement.strip())
            if match and locked.get(_normal(match.group(1))) != match.group(2):
                drifted = True
                result.findings.append(finding(
                    CHECK, "stale", f"{requirement} is not what {spec.lock} pins "
                    f"({locked.get(_normal(match.group(1)), 'nothing')}); run `make lock`",
                    file=spec.source, line=line_of(source, requirement)))
        recorded = _INPUTS.search(text)
        if not drifted and (not recorded or recorded.group(1) != spec.digest):
            result.findings.append(finding(
                CHECK, "stale", f"{spec.lock} was compiled from other requirements than "
                f"{spec.source}'s; run `make lock`", file=spec.lock,
                line=line_of(text, "# inputs:")))
        for number, line in _unhashed(text):
            result.findings.append(finding(CHECK, "missing", f"{line.split()[0]} has no hash; "
                                           "run `make lock`", file=spec.lock, line=number))
    return result


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(text: str) -> list[tuple[int, str]]:
    """(line, requirement with its continuation lines joined) of a requirements file."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if found and found[-1][1].endswith("\\"):
            found[-1] = (found[-1][0], found[-1][1][:-1] + " " + stripped)
        else:
            found.append((number, stripped))
    return found


def _locked(text: str) -> dict[str, str]:
    pins = {}
    for _, requirement in _requirements(text):
        match = _PIN.match(requirement)
        if match:
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def _unhashed(text: str) -> list[tuple[int, str]]:
    return [(n, r) for n, r in _requirements(text) if "--hash=sha256:" not in r]


def uv_program() -> Path:
    """uv, pinned in pyproject.toml's `lock` extra, next to the virtualenv's interpreter."""
    uv = Path(sys.executable).parent / "uv"
    if not uv.is_file():
        raise UsageError("uv is not installed in .venv (pyproject.toml's `lock` extra); run "
                         "`make venv`")
    return uv
