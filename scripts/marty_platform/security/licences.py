"""Licences of everything the tooling runs: each Python package installed in the tooling's
virtualenv and each Go module compiled into a pinned tool must have an identified licence in
the allowlist (`policies/licences.yaml`). Unknown or not allowed is a finding.

How a licence is identified, in order, and nothing else (docs/security.md#licences):
- Python: the package's `License-Expression` (SPDX, PEP 639); else its `License` field when it
  is a short licence name; else its `License ::` trove classifier; where those say only "BSD"
  or nothing, the licence files the distribution ships, classified by the pinned
  `identify_license` (google/licenseclassifier, the classifier pkg.go.dev uses).
- Go: the modules a binary embeds (`go version -m`), and for each the LICENSE/COPYING files of
  its source in the Go module cache (`go env GOMODCACHE`, filled by `make bootstrap`'s
  `go install`), classified by `identify_license`. A module whose source is not in the cache
  is unidentified, never assumed.
Classifications of a module version never change, so they are cached by module and version.
"""
from __future__ import annotations

import importlib.metadata
import json
import re
from dataclasses import dataclass
from pathlib import Path

from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, finding
from marty_platform.rules import Rule, declare
from marty_platform.result_cache import ScanCache
from marty_platform.tools.bootstrap import find_go
from marty_platform.tools.runner import Command, build_environment, run
from marty_platform.yamlio import YamlError, load_file

CHECK = "licences"
ALLOWLIST = "policies/licences.yaml"
RULES = declare(
    CHECK, "Licences of the tooling's Python packages and of the Go modules in the pinned tools "
    f"(`scripts/scan`; allowlist `{ALLOWLIST}`).",
    Rule("unidentified", "no licence could be identified for a package or module"),
    Rule("not-allowed", "a package's or module's licence is not in the allowlist"),
    Rule("allowlist", "the allowlist file is missing or malformed"),
    module=__name__)
CLASSIFIER = "identify_license"
# Below this the classifier's match is not an identification.
MIN_CONFIDENCE = 0.9
_LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice)([._-].*)?$", re.I)
_NOT_LICENCES = {"Copyright", "NOTICE"}
# Short `License` field values and trove classifiers, as SPDX ids. "BSD" alone is no id.
_NAMES = {
    "mit": "MIT", "mit license": "MIT", "the mit license": "MIT", "expat": "MIT",
    "apache": "Apache-2.0", "apache 2.0": "Apache-2.0", "apache-2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0", "apache software license": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause", "new bsd": "BSD-3-Clause", "isc": "ISC",
    "isc license (iscl)": "ISC", "mpl-2.0": "MPL-2.0", "mozilla public license 2.0 (mpl 2.0)":
    "MPL-2.0", "psf-2.0": "PSF-2.0", "psfl": "PSF-2.0",
    "python software foundation license": "PSF-2.0", "gnu gplv3+": "GPL-3.0-or-later",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "the unlicense (unlicense)": "Unlicense", "0bsd": "0BSD",
}


@dataclass(frozen=True)
class Subject:
    ecosystem: str  # "python" or "go"
    name: str
    version: str
    where: str  # the tool a Go module is compiled into, or "the tooling's virtualenv"


def _classifier_version(ctx: RunContext) -> str:
    return ctx.manifest.tools[CLASSIFIER].version + "-headers"


@dataclass(frozen=True)
class Allowlist:
    allowed: set[str]
    accepted: dict[tuple[str, str], str]  # (package, licence id) → why it is accepted
    identified: dict[tuple[str, str], str]  # (package, version) → licence read by hand


def _allowlist(root: Path) -> Allowlist:
    path = root / ALLOWLIST
    try:
        [doc] = load_file(path)
        data = doc.data
        allowed = {str(item) for item in data["allowed"]}
        accepted = {(str(item["name"]), str(item["licence"])): str(item["reason"])
                    for item in data.get("accepted") or []}
        identified = {(str(item["name"]), str(item["version"])): str(item["licence"])
                      for item in data.get("identified") or [] if item["source"]}
    except (OSError, YamlError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{ALLOWLIST}: cannot be read as an allowlist ({exc})") from None
    return Allowlist(allowed, accepted, identified)


def _expression_ids(expression: str) -> list[list[str]]:
    """An SPDX expression as alternatives (OR) of conjunctions (AND)."""
    cleaned = expression.replace("(", " ").replace(")", " ")
    return [[part.strip() for part in re.split(r"\s+AND\s+", alternative) if part.strip()]
            for alternative in re.split(r"\s+OR\s+", cleaned)]


def python_licence(dist) -> str | None:
    """The SPDX expression the metadata states, or None."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"].strip()
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and field.lower() in _NAMES:
        return _NAMES[field.lower()]
    if re.fullmatch(r"[A-Za-z0-9.+-]+( (OR|AND) [A-Za-z0-9.+-]+)*", field) and \
            field.upper() != "UNKNOWN" and field.lower() != "bsd":
        return field
    for classifier in meta.get_all("Classifier") or []:
        name = classifier.rpartition(" :: ")[2].lower()
        if classifier.startswith("License ::") and name in _NAMES:
            return _NAMES[name]
    return None


def _licence_files(paths) -> list[Path]:
    return [p for p in paths if _LICENCE_FILE.match(p.name) and p.is_file()]


_CLASSIFIER_RACE = "panic: send on closed channel"
_CLASSIFIER_ATTEMPTS = 3
_GO_PANIC = 2


def _classify(ctx: RunContext, files: list[Path]) -> dict[str, set[str]]:
    """File → the licences identify_license finds in it."""
    if not files:
        return {}
    out = ctx.scratch("licences") / "classified.json"
    # -headers: many LICENSE files hold only the licence's standard notice (Apache-2.0's).
    # A Go panic exits 2: declared, so that the whole of stderr can be searched for the race
    # (its log of every file classified comes first, beyond what an error message quotes).
    command = ctx.toolbox.command(CLASSIFIER, "-headers", f"-json={out}", *map(str, files),
                                  subject="licence files", timeout=900,
                                  problem_codes=(_GO_PANIC,))
    for attempt in range(1, _CLASSIFIER_ATTEMPTS + 1):
        completed = run(command)
        if not completed.found_problems:
            break
        # identify_license v2.0.0 (the only release) can panic after classifying every file:
        # its last worker signals a channel the pool has just closed. The run is otherwise
        # deterministic, so only that panic is retried, a bounded number of times.
        if _CLASSIFIER_RACE not in completed.stderr or attempt == _CLASSIFIER_ATTEMPTS:
            raise completed.failed("unexpected exit status")
    found: dict[str, set[str]] = {str(f): set() for f in files}
    for item in json.loads(out.read_text(encoding="utf-8")) or []:
        names = {c["Name"] for c in item.get("Classifications") or []
                 if c.get("Confidence", 0) >= MIN_CONFIDENCE and c["Name"] not in _NOT_LICENCES}
        found.setdefault(item["Filepath"], set()).update(names)
    return found


def _module_dir(cache: Path, module: str, version: str) -> Path:
    escaped = re.sub(r"[A-Z]", lambda m: "!" + m.group().lower(), f"{module}@{version}")
    return cache / escaped


def _verdict(subject: Subject, ids: list[list[str]] | None, allowlist: Allowlist,
             how: str) -> list:
    label = f"{subject.name} {subject.version} ({subject.where})"
    allowed, accepted = allowlist.allowed, allowlist.accepted
    by_hand = allowlist.identified.get((subject.name, subject.version))
    if not ids and by_hand:
        ids = _expression_ids(by_hand)
    where = dict(resource=f"{subject.ecosystem}:{subject.name}",
                 file="pyproject.toml" if subject.ecosystem == "python" else "tools.toml")
    if not ids or not any(ids):
        return [finding(CHECK, "unidentified", f"{label}: no licence identified ({how}); "
                        f"identify it and add it to {ALLOWLIST}", **where)]
    expression = " OR ".join(" AND ".join(alt) for alt in ids)
    if any(all(i in allowed or (subject.name, i) in accepted for i in alt) for alt in ids):
        return []
    return [finding(CHECK, "not-allowed", f"{label}: licence {expression} is not in "
                    f"{ALLOWLIST}", **where)]


def check(ctx: RunContext, modules: dict[tuple[str, str], set[str]]) -> CheckResult:
    """`modules`: the Go modules of the pinned tools (go_modules.compiled_modules)."""
    result = CheckResult(CHECK)
    allowlist = _allowlist(ctx.repo.root)
    pending: list[tuple[Subject, list[Path]]] = []
    for dist in sorted(importlib.metadata.distributions(), key=lambda d: d.metadata["Name"]):
        name = dist.metadata["Name"]
        if name == "marty-platform":
            continue
        subject = Subject("python", name, dist.version, "the tooling's virtualenv")
        result.stats.checked += 1
        stated = python_licence(dist)
        if stated:
            result.findings += _verdict(subject, _expression_ids(stated), allowlist,
                                        "package metadata")
        else:
            files = _licence_files(Path(dist.locate_file(f)) for f in dist.files or [])
            pending.append((subject, files))
    gomodcache = Path(run(Command(argv=(find_go(ctx.manifest.go_fallback, lambda m: None),
                                        "env", "GOMODCACHE"), env=build_environment(),
                                  timeout=60)).stdout.strip())
    cache = ScanCache(ctx.cache_dir, "licences", f"go-modules-{_classifier_version(ctx)}")
    go_cached: dict[Subject, list[str]] = {}
    for (module, version), tools in sorted(modules.items()):
        subject = Subject("go", module, version, ", ".join(sorted(tools)))
        result.stats.checked += 1
        known = cache.get(f"{module}@{version}")
        if known is not None:
            go_cached[subject] = known
            continue
        directory = _module_dir(gomodcache, module, version)
        files = _licence_files(directory.iterdir()) if directory.is_dir() else []
        pending.append((subject, files))
    classified = _classify(ctx, [f for _, files in pending for f in files])
    for subject, files in pending:
        names = sorted(set().union(*(classified.get(str(f), set()) for f in files))) \
            if files else []
        if subject.ecosystem == "go":
            cache.put(f"{subject.name}@{subject.version}", names)
        how = "licence files classified by identify_license" if files else \
            "no licence file" + (" in the Go module cache" if subject.ecosystem == "go" else "")
        result.findings += _verdict(subject, [names] if names else None, allowlist, how)
    for subject, names in go_cached.items():
        result.findings += _verdict(subject, [names] if names else None, allowlist,
                                    "licence files classified by identify_license")
    cache.save()
    return result
