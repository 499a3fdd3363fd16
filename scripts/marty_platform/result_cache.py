"""Check results cached by the content of their inputs: one content-addressed cache for every check.

A result is stored under a key that is the sha256 of everything that decides it: the check, the
pinned tool versions (tools.toml's fingerprint), the code of this tooling, the day (waivers and
skips expire), the check's config and the bytes of every input it reads (check_inputs.py declares
them). Change any of those and the key changes, so a stale result is never found; nothing is ever
invalidated by hand.

Two stores, both under the cache directory (never tracked: `.cache/` is in .gitignore):
- `ResultCache`: one JSON file per key under `results/`, holding a check's serialized results
  (its findings and stats). Whole-repo runs touch every entry they use and then remove the ones
  they did not, so the cache holds what the current tree needs and no more.
- `ScanCache`: many small entries per file under `scans/<tool>/<scope>.json`, for tool output
  cached per file or per object (the scanners, kubeconform, conftest).

Writes are atomic (a concurrent run sees the old file or the new one). The cache only ever makes a
run faster, never changes or stops it: a damaged, unreadable or foreign entry (one another version
of this tooling wrote) is a miss, and an entry that cannot be written (a full disk, a directory
another user owns) is not written. Entries hold data only: nothing read from the cache is ever
executed.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from marty_platform.check_inputs import tooling_digest
from marty_platform.model import CheckResult, CheckStats, Finding, Severity

# Part of every result key: bump it when what a cached result holds changes.
RESULT_FORMAT = "1"


def content_key(fingerprint: str, name: str, content: bytes) -> str:
    digest = hashlib.sha256()
    for part in (fingerprint.encode(), b"\0", name.encode("utf-8", "surrogateescape"), b"\0",
                 content):
        digest.update(part)
    return digest.hexdigest()


def key_of(*parts: str | bytes) -> str:
    """The sha256 of `parts`, each length-prefixed so that no two lists of parts collide."""
    digest = hashlib.sha256(RESULT_FORMAT.encode())
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def read_entry(path: Path) -> object | None:
    """The JSON a cache entry holds, or None when it cannot be read or parsed (a miss)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_entry(path: Path, data: object) -> bool:
    """Store `data` as JSON at `path` atomically; False, and nothing written, when the cache
    cannot be written there: the run's results are still right, only the next run is slower."""
    text, temporary = json.dumps(data), None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False
    return True


class ScanCache:
    """A tool's results per key (each a list of JSON objects), in one file per scope. The file
    names the tooling code that wrote it: the results of another version, whose entries may be
    shaped differently, are not read."""

    def __init__(self, cache_dir: Path, scanner: str, scope: str):
        self.path = cache_dir / "scans" / scanner / f"{scope}.json"
        loaded = read_entry(self.path)
        entries = loaded.get("entries") if isinstance(loaded, dict) and \
            loaded.get("tooling") == tooling_digest() else None
        self._stored: dict[str, list] = entries if isinstance(entries, dict) else {}
        self._used: dict[str, list] = {}

    def get(self, key: str) -> list | None:
        found = self._stored.get(key)
        if isinstance(found, list) and all(isinstance(item, dict) for item in found):
            self._used[key] = found
            return found
        return None

    def put(self, key: str, results: list) -> None:
        self._used[key] = results

    def save(self, keep_unused: bool = False) -> None:
        """Keep the entries this run used (and, with `keep_unused`, the others too: a run over
        part of the tree must not forget the rest), atomically."""
        kept = {**self._stored, **self._used} if keep_unused else self._used
        write_entry(self.path, {"tooling": tooling_digest(), "entries": kept})


def scan_cached(cache_dir: Path, scanner: str, scope: str, fingerprint: str,
                files: dict[str, bytes], staging: Path, scan) -> dict[str, list[dict]]:
    """Each file's results, scanning only the files whose key is not cached.

    `files` maps a relative name to its bytes; the uncached ones are written under `staging` and
    `scan(staging)` is called once, returning (name relative to staging, result) pairs, each
    result a JSON-able dict. A scanner that reports a name it was not given is a bug in the
    mapping and raises, never a dropped result."""
    cache = ScanCache(cache_dir, scanner, scope)
    results: dict[str, list[dict]] = {}
    missing: dict[str, str] = {}
    for name, content in files.items():
        key = content_key(fingerprint, name, content)
        cached = cache.get(key)
        if cached is None:
            missing[name] = key
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        else:
            results[name] = cached
    if missing:
        found: dict[str, list[dict]] = {name: [] for name in missing}
        for name, result in scan(staging):
            if name not in found:
                raise ValueError(f"{scanner} reported {name!r}, which it was not given")
            found[name].append(result)
        for name, key in missing.items():
            cache.put(key, found[name])
        results.update(found)
    cache.save()
    return results


def encode_results(results: list[CheckResult]) -> dict:
    return {"results": [{"check": r.check, "env": r.env,
                         "findings": [f.to_dict() for f in r.findings],
                         "stats": {"checked": r.stats.checked,
                                   "not_checked": r.stats.not_checked},
                         "rules": r.rules} for r in results]}


def decode_results(payload: dict) -> list[CheckResult]:
    """The results `encode_results` stored; raises (KeyError, TypeError, ValueError) on anything
    else, which the caller takes as a miss."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise ValueError("not a stored result")
    results = []
    for item in payload["results"]:
        findings = [Finding(file=str(f["file"]), line=f["line"] if isinstance(f["line"], int)
                            else None, env=str(f["env"]), resource=str(f["resource"]),
                            check=str(f["check"]), rule=str(f["rule"]),
                            severity=Severity(f["severity"]), message=str(f["message"]))
                    for f in item["findings"]]
        stats = CheckStats(int(item["stats"]["checked"]), int(item["stats"]["not_checked"]))
        rules = {str(k): int(v) for k, v in dict(item["rules"]).items()}
        results.append(CheckResult(str(item["check"]), env=str(item["env"]), findings=findings,
                                   stats=stats, rules=rules))
    return results


class ResultCache:
    """Whole check results by key, with how many hits and misses each check had in this run."""

    def __init__(self, cache_dir: Path):
        self.root = cache_dir / "results"
        self.started = time.time()
        self._lock = threading.Lock()
        self.counts: dict[str, list[int]] = {}  # label -> [hits, misses]

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def count(self, label: str, hits: int = 0, misses: int = 0) -> None:
        with self._lock:
            entry = self.counts.setdefault(label, [0, 0])
            entry[0] += hits
            entry[1] += misses

    def get(self, key: str) -> list[CheckResult] | None:
        path = self._path(key)
        try:
            results = decode_results(read_entry(path))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        try:
            os.utime(path)  # used by this run: kept by prune()
        except OSError:
            pass  # then a later whole-repo run may prune it: a miss, never a wrong result
        return results

    def put(self, key: str, results: list[CheckResult]) -> None:
        """Store `results`, unless a check failed inside (an internal error is not an answer)."""
        if any(f.rule == "internal-error" for r in results for f in r.findings):
            return
        write_entry(self._path(key), encode_results(results))

    def prune(self) -> None:
        """Remove the entries this (whole-repo) run did not use: every entry it used was touched
        after it started."""
        if not self.root.is_dir():
            return
        for entry in self.root.glob("*/*.json"):
            try:
                if entry.stat().st_mtime < self.started - 1:
                    entry.unlink()
            except OSError:
                pass  # another run replaced or removed it
