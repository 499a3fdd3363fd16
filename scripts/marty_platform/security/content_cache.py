"""Scanner results cached by content, so an unchanged tree is not scanned again.

A scanner's results for one file depend only on the file's name, its bytes, the pinned tool
versions and the scanner's config: that is the key. Each scope (the working tree, one env's
rendered objects) keeps one JSON file under `.cache/scans/`, rewritten after every run with the
entries that run used, so it never grows past the tree it describes. A damaged cache file is
treated as empty: the files are scanned again.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def content_key(fingerprint: str, name: str, content: bytes) -> str:
    digest = hashlib.sha256()
    for part in (fingerprint.encode(), b"\0", name.encode("utf-8", "surrogateescape"), b"\0",
                 content):
        digest.update(part)
    return digest.hexdigest()


class ScanCache:
    def __init__(self, cache_dir: Path, scanner: str, scope: str):
        self.path = cache_dir / "scans" / scanner / f"{scope}.json"
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        self._stored: dict[str, list] = loaded if isinstance(loaded, dict) else {}
        self._used: dict[str, list] = {}

    def get(self, key: str) -> list | None:
        found = self._stored.get(key)
        if isinstance(found, list):
            self._used[key] = found
            return found
        return None

    def put(self, key: str, results: list) -> None:
        self._used[key] = results

    def save(self) -> None:
        """Keep exactly the entries this run used (atomically: a concurrent run sees the old
        file or the new one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(self._used, out, sort_keys=True)
        os.replace(temporary, self.path)


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
