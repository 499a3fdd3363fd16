"""checkov scans many objects in parts of bounded size, side by side, with the results one run
over all of them gives (a single run over the 30,000 objects of a thousand apps outlived its
time limit and stopped the run)."""
from __future__ import annotations

import threading

import pytest

from harness import ROOT, pinned_tool, tool_env
from marty_platform.checks import iac_security
from marty_platform.context import Options
from marty_platform.engine import run_validation
from marty_platform.repo import Repo
from marty_platform.security.parts import scan_in_parts

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: marty-dev
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: registry.example/{name}:1.0
{extra}"""
HARDENED = """          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
"""
# checkov 3.3.30 ends with AttributeError on it (see test_sec_iac_robustness.py).
CRASHES_CHECKOV = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: "not a mapping"\n'


def test_files_are_split_into_parts_of_bounded_size_keeping_their_names(tmp_path):
    staged = tmp_path / "staged"
    names = [f"{env}/{index}.yaml" for env in ("dev", "prod") for index in range(4)] + ["x.yaml"]
    for name in names:
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_text(name, encoding="utf-8")
    parts, lock = [], threading.Lock()
    numbers = iter(range(100))

    def scan(directory):
        files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                       if p.is_file())
        with lock:
            parts.append(files)
        return [(name, {"read": (directory / name).read_text(encoding="utf-8")})
                for name in files]

    found = scan_in_parts(scan, staged, lambda: tmp_path / f"part-{next(numbers)}", 3, 2)

    assert sorted(found, key=lambda pair: pair[0]) == [(name, {"read": name})
                                                       for name in sorted(names)]
    assert len(parts) == 3 and all(len(files) <= 3 for files in parts), parts


def test_a_scan_within_one_part_is_one_run(tmp_path):
    (tmp_path / "a.yaml").write_text("a", encoding="utf-8")
    runs = []
    found = scan_in_parts(lambda d: runs.append(d) or [("a.yaml", {})], tmp_path,
                          lambda: pytest.fail("no part is made"), 3, 2)
    assert found == [("a.yaml", {})] and runs == [tmp_path]


def _validate(manifests):
    report = run_validation(Repo(ROOT), Options(paths=(manifests,), jobs=2))
    return sorted((f.file, f.rule, f.message) for f in report.findings
                  if f.check == "iac-security")


def test_parts_give_the_findings_of_one_run(tmp_path, monkeypatch):
    pinned_tool("checkov")
    manifests = tmp_path / "manifests"
    manifests.mkdir(parents=True)
    for index in range(7):
        (manifests / f"app-{index}.yaml").write_text(DEPLOYMENT.format(
            name=f"app-{index}", extra=HARDENED if index % 2 else ""), encoding="utf-8")
    (manifests / "app-9-crashes-checkov.yaml").write_text(CRASHES_CHECKOV, encoding="utf-8")
    runs = []
    real = iac_security._checkov_objects

    def counted(ctx, directory, *args):
        runs.append(sorted(p.name for p in directory.rglob("*.yaml")))
        return real(ctx, directory, *args)

    monkeypatch.setattr(iac_security, "_checkov_objects", counted)
    for name, value in tool_env(tmp_path / "cache-whole").items():
        monkeypatch.setenv(name, value)
    whole = _validate(manifests)
    assert len(runs) > 1  # the crash was isolated within the one part
    runs.clear()

    monkeypatch.setattr(iac_security, "_PART_SIZE", 3)
    monkeypatch.setenv("MARTY_CACHE_DIR", str(tmp_path / "cache-parts"))
    in_parts = _validate(manifests)

    assert in_parts == whole
    assert any(rule == "unscannable" for _, rule, _ in whole), whole
    assert any(rule.startswith("checkov/") for _, rule, _ in whole), whole
    first_runs = [files for files in runs if len(files) <= 3]
    assert len(first_runs) >= 3, runs  # 8 objects in parts of at most 3
