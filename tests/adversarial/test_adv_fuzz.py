"""A seeded fuzz loop over real rendered manifests: every mutation is a finding or a usage line,
never a crash.

The corpus is what `scripts/render` prints for two dev apps (a chart-inflated service and the
platform namespaces). Each case mutates one rendered object, seeded so that a failure names a
case that can be replayed: a value of another type, deep nesting, a removed or emptied key
(`apiVersion`, `kind`, `metadata`, `name`), a huge string, or bytes spliced into the YAML text
(not UTF-8, NUL, control characters, a tab, a stray quote or bracket). The mutated files are
validated in path mode (every manifest check: kubeconform, conftest, the scanners) and, as the
resources of an overlay, through kustomize too. A run may report anything about them; it may
not crash (an `internal error:` line, an `internal-error` finding, a traceback), exit with an
unknown code, or print something other than its report on stdout.
"""
from __future__ import annotations

import copy
import json
import random
import re
import subprocess

import pytest
import yaml

from harness import ROOT, copy_checkout, tool_env

SEED = 20261130
LOOSE_CASES = 160
OVERLAY_CASES = 12
APPS = ("trust-anchor", "platform-namespaces")
SPLICES = [b"\xff\xfe", b"\x00", b"\x07\x1b[2J", b"\t", b"'", b'"', b"{", b"[", b": :", b"&a *a",
           b"\xc3", b"!!python/object:os.system ", b"<<: *x", b"---\n", b"\r"]


def _values():
    return [None, True, 0, -1, 2 ** 70, 1.5, "", "x" * 70_000, [], {}, [None], {"": None},
            "\u202e\u0000", "123", "true", "-", [[[]]]]


def _paths(node, prefix=()):
    """Every (path, value) inside a parsed object, the root first."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _set(root, path, value):
    node = root
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _mutated(rng: random.Random, obj: dict) -> bytes:
    """One mutation of `obj`, as the bytes of a YAML file."""
    obj = copy.deepcopy(obj)
    kind = rng.choice(["type", "type", "nest", "drop", "bytes", "bytes"])
    inner = [p for p, _ in _paths(obj) if p]
    if kind == "type" and inner:
        _set(obj, rng.choice(inner), rng.choice(_values()))
    elif kind == "nest" and inner:
        path = rng.choice(inner)
        value = "deep"
        for _ in range(rng.choice([50, 500])):
            value = [value] if rng.random() < 0.5 else {"k": value}
        _set(obj, path, value)
    elif kind == "drop":
        target = rng.choice(["apiVersion", "kind", "metadata", "name", "namespace"])
        holder = obj.get("metadata") if target in ("name", "namespace") else obj
        if isinstance(holder, dict) and target in holder:
            if rng.random() < 0.5:
                del holder[target]
            else:
                holder[target] = rng.choice([None, "", [], 7])
    # Deep nesting as JSON (which YAML reads too): PyYAML's writer recurses per level.
    text = json.dumps(obj).encode() if kind == "nest" else \
        yaml.safe_dump(obj, sort_keys=False, width=10_000).encode()
    if kind == "bytes" or rng.random() < 0.15:
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(SPLICES) + text[at:]
    return text


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple:
    """A copy of the tree, and the objects `scripts/render` prints for the corpus apps."""
    repo = copy_checkout(tmp_path_factory.mktemp("fuzz") / "repo")
    cache = tmp_path_factory.mktemp("fuzz-cache")
    args = [a for app in APPS for a in ("--app", app)]
    proc = subprocess.run([str(ROOT / "scripts" / "render"), "--env", "dev", *args], cwd=repo,
                          env=tool_env(cache), capture_output=True, text=True, timeout=900,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    objects = [doc for doc in yaml.safe_load_all(proc.stdout) if isinstance(doc, dict)]
    assert len(objects) >= 10, "the corpus is too small to fuzz"
    return repo, objects


def _assert_no_crash(outcome, what: str) -> None:
    assert outcome.code in (0, 1, 2), (what, outcome.code, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr, (what, outcome.stderr[-3000:])
    assert "internal error" not in outcome.stderr, (what, outcome.stderr[-2000:])
    if outcome.code == 2:  # a usage line: one line, nothing on stdout
        assert len(outcome.stderr.strip().splitlines()) == 1, (what, outcome.stderr[-2000:])
        assert outcome.stdout == "", what
        return
    report = json.loads(outcome.stdout)
    crashed = [(f["check"], f["message"]) for f in report["findings"]
               if f["rule"] == "internal-error"]
    assert not crashed, (what, crashed)


def test_mutated_manifests_are_findings_never_crashes(corpus, run_cli):
    repo, objects = corpus
    rng = random.Random(SEED)
    target = repo / "rendered" / "fuzz"  # where `scripts/render --out` writes manifests
    target.mkdir(parents=True)
    for case in range(LOOSE_CASES):
        (target / f"case-{case:03d}.yaml").write_bytes(_mutated(rng, rng.choice(objects)))
    outcome = run_cli("validate", "--format", "json", "rendered/fuzz", cwd=repo)
    _assert_no_crash(outcome, f"seed {SEED}: rendered/fuzz/case-*.yaml")
    assert outcome.code == 1, "no mutation was reported"
    reported = {f["file"] for f in outcome.json["findings"]}
    assert len({f for f in reported if f.startswith("rendered/fuzz/")}) > LOOSE_CASES // 2, \
        reported


def test_mutated_resources_of_an_overlay_are_findings_never_crashes(corpus, run_cli):
    """The same mutations as an overlay's resource, one at a time: kustomize reads them first."""
    repo, objects = corpus
    rng = random.Random(SEED + 1)
    overlay = repo / "overlays" / "dev" / "trust-anchor"
    kustomization = overlay / "kustomization.yaml"
    text = kustomization.read_text(encoding="utf-8")
    assert re.search(r"^resources:\n", text, re.MULTILINE), "the overlay lists no resources"
    kustomization.write_text(re.sub(r"^resources:\n", "resources:\n  - fuzz.yaml\n", text,
                                    count=1, flags=re.MULTILINE), encoding="utf-8")
    for case in range(OVERLAY_CASES):
        (overlay / "fuzz.yaml").write_bytes(_mutated(rng, rng.choice(objects)))
        outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo)
        _assert_no_crash(outcome, f"seed {SEED + 1}: case {case}")
