"""The pod-security policy agrees with Kubernetes Pod Security Admission (v1.37).

Runs the real conftest over the upstream PSA fixtures in ../shared/corpus/psa, one invocation
per directory:
  disallowed/baseline   -> at least one pss.baseline.* finding (baseline namespace)
  allowed/baseline      -> no pss.baseline.* finding              (baseline namespace)
  disallowed/restricted -> at least one pss.* finding            (restricted namespace)
  allowed/restricted    -> no pss.* finding                       (restricted namespace)
"""
from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from _conftest_bin import POLICIES, POLICY_DATA, ROOT, SHARED, conftest_binary

CORPUS = SHARED / "corpus"
PSA = CORPUS / "psa"
DIRS = ("allowed/baseline", "disallowed/baseline", "allowed/restricted", "disallowed/restricted")

pytestmark = pytest.mark.shared


def _env_yaml(level: str) -> str:
    # Fixtures have no namespace, so they land in "default"; baseline is selected per namespace
    # (the same path the engine uses), restricted is the environment default.
    namespaces = "{default: baseline}" if level == "baseline" else "{}"
    return (
        "marty:\n"
        "  env:\n"
        "    name: dev\n"
        '    kubernetesVersion: "1.33"\n'
        f"    podSecurity: {{default: restricted, namespaces: {namespaces}}}\n"
        "  namespaces: {}\n"
    )


def _fixtures(directory: str) -> list[Path]:
    return sorted((PSA / directory).glob("*.yaml")) if PSA.is_dir() else []


CASES = [(d, f.name) for d in DIRS for f in _fixtures(d)]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """directory -> {file name: set of rule ids}, from one conftest run per directory."""
    binary = conftest_binary()
    out: dict[str, dict[str, set[str]]] = {}
    for directory in DIRS:
        level = directory.split("/")[1]
        env_dir = tmp_path_factory.mktemp(f"env-{level}")
        (env_dir / "env.yaml").write_text(_env_yaml(level))
        files = _fixtures(directory)
        proc = subprocess.run(
            [binary, "test", "--no-color", "--output", "json",
             "--namespace", "k8s.pod_security",
             "--policy", str(POLICIES), "--data", str(POLICY_DATA), "--data", str(env_dir),
             *map(str, files)],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )
        # 0: no failures, 1: failures found; anything else is a tool error
        assert proc.returncode in (0, 1), f"conftest failed ({proc.returncode}):\n{proc.stderr}"
        results = json.loads(proc.stdout)
        rules = {Path(r["filename"]).name: {f["metadata"]["rule"] for f in (r.get("failures") or [])}
                 for r in results}
        assert set(rules) == {f.name for f in files}, "conftest did not report every fixture"
        out[directory] = rules
    return out


def test_corpus_present():
    if not PSA.is_dir():
        pytest.skip("../shared/corpus/psa is absent")
    with open(CORPUS / "INDEX.tsv", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        indexed = {row["path"] for row in rows if row["path"].startswith("psa/")}
    on_disk = {f"psa/{d}/{name}" for d, name in CASES}
    assert indexed == on_disk
    assert len(on_disk) > 100


@pytest.mark.parametrize(("directory", "name"), CASES, ids=[f"{d}/{n}" for d, n in CASES])
def test_psa_fixture(verdicts, directory, name):
    expected, level = directory.split("/")
    rules = verdicts[directory][name]
    prefix = "pss.baseline." if level == "baseline" else "pss."
    relevant = sorted(r for r in rules if r.startswith(prefix))
    if expected == "allowed":
        assert not relevant, f"{directory}/{name} passes PSA {level} but got {relevant}"
    else:
        assert relevant, f"{directory}/{name} fails PSA {level} but no {prefix}* finding"
