"""Benchmark: `scripts/diff` of two refs across 3 envs vs one full validation of the same tree.

Builds a synthetic repo (N apps x 3 envs from the trust-anchor sample, committed at two refs that
differ in a shared base, so every overlay is affected), then times, each with an empty render cache:
  - diff: render every affected overlay at both refs (one in a temporary worktree) and compare;
  - validate: the validation engine over the same tree (render + kubeconform + conftest).
Target: diff <= 1.5x validate. Prints both wall times and the ratio; bench.py puts them in its
table.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
SAMPLE = ROOT / "tests" / "ops" / "fixtures" / "tree"  # plain kustomize: base/web + 3 overlays
from marty_platform.context import Options  # noqa: E402
from marty_platform.diffing.compare import diff_refs  # noqa: E402
from marty_platform.engine import run_validation  # noqa: E402
from marty_platform.repo import Repo  # noqa: E402


def build_tree(target: Path, apps: int) -> None:
    shutil.copy(ROOT / "tools.toml", target / "tools.toml")
    for item in ("schemas", "policies"):
        shutil.copytree(ROOT / item, target / item)
    for env in ("dev", "staging", "prod"):
        (target / "overlays" / env).mkdir(parents=True)
        shutil.copy(SAMPLE / "overlays" / env / "env.yaml", target / "overlays" / env)
    for index in range(apps):
        name = f"svc-{index:03d}"
        for src in SAMPLE.rglob("*"):
            rel = src.relative_to(SAMPLE)
            if not src.is_file() or rel.name == "env.yaml":
                continue
            parts = [name if part == "web" else part for part in rel.parts]
            dst = target.joinpath(*parts)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(src.read_text().replace("web", name))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def fresh_cache() -> Path:
    cache = Path(tempfile.mkdtemp(prefix="diff-bench-cache-"))
    schemas = ROOT / ".cache" / "schemas"
    if schemas.is_dir():  # per-machine schema cache, built once: not part of the timing
        shutil.copytree(schemas, cache / "schemas")
    os.environ["MARTY_CACHE_DIR"] = str(cache)
    return cache


@dataclass(frozen=True)
class DiffTiming:
    apps: int
    overlays: int  # rendered at both refs
    diff_seconds: float
    validate_seconds: float

    @property
    def ratio(self) -> float:
        return self.diff_seconds / self.validate_seconds


def measure(apps: int) -> DiffTiming:
    """Times the diff of two refs and one validation of the same synthetic tree, each cold."""
    saved = dict(os.environ)
    os.environ.setdefault("MARTY_TOOLS_BIN", str(ROOT / ".tools" / "bin"))
    work = Path(tempfile.mkdtemp(prefix="diff-bench-"))
    tree = work / "repo"
    tree.mkdir()
    try:
        build_tree(tree, apps)
        os.environ.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@marty.dev",
                           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@marty.dev"})
        git(tree, "init", "--quiet", "--initial-branch=main")
        git(tree, "add", "--all")
        git(tree, "commit", "--quiet", "-m", "base")
        for base in (tree / "base").iterdir():
            deployment = base / "deployment.yaml"
            deployment.write_text(deployment.read_text().replace("value: info", "value: warn"))
        git(tree, "commit", "--quiet", "-am", "head")

        cache = fresh_cache()
        started = time.perf_counter()
        report = diff_refs(Repo(tree), "HEAD~1", "HEAD")
        diff_wall = time.perf_counter() - started
        shutil.rmtree(cache, ignore_errors=True)

        cache = fresh_cache()
        started = time.perf_counter()
        run_validation(Repo(tree), Options())
        validate_wall = time.perf_counter() - started
        shutil.rmtree(cache, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        os.environ.clear()
        os.environ.update(saved)
    return DiffTiming(apps, len(report.apps), diff_wall, validate_wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=20)
    timing = measure(parser.parse_args().apps)
    print(f"{timing.apps} apps x 3 envs: diff of two refs {timing.diff_seconds:.2f}s "
          f"({timing.overlays} overlays at both refs), full validate "
          f"{timing.validate_seconds:.2f}s, ratio {timing.ratio:.2f}x "
          f"({'within' if timing.ratio <= 1.5 else 'OVER'} the 1.5x target)")


if __name__ == "__main__":
    main()
