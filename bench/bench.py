"""`make bench`: scripts/validate against a typical hand-written validate.sh, on synthetic repos.

For N apps x 3 envs (N = 10, 50, 200 by default) it builds a synthetic repo of N renamed copies
of the trust-anchor service (chart, profiles and components shared), then times, cold (empty
render cache):
  - ours: the validation engine over every overlay (rendering in parallel, one kubeconform and one
    conftest run per env);
  - baseline: baseline.sh, which for each overlay in turn runs `kustomize build | kubeconform`,
    then conftest on that overlay.
It prints wall times, the ratio, time per overlay, and Python's own share of the CPU time.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from marty_platform.context import Options  # noqa: E402
from marty_platform.engine import run_validation  # noqa: E402
from marty_platform.kustomize_graph import KustomizeGraph  # noqa: E402
from marty_platform.repo import Repo  # noqa: E402
from marty_platform.settings import Settings  # noqa: E402

SAMPLE = "trust-anchor"
ENVS = Repo(ROOT).envs()


def _sample_files() -> set[Path]:
    """Every file the sample service's overlays are built from (its closure, in all envs)."""
    graph = KustomizeGraph(Repo(ROOT))
    files: set[Path] = set()
    for env in ENVS:
        closure, _ = graph.closure(ROOT / "overlays" / env / SAMPLE)
        files |= closure
    return files


def build_tree(target: Path, apps: int) -> None:
    """N copies of the sample service (renamed) over the shared chart, profiles and components."""
    for item in ("tools.toml", "schemas", "policies", "catalog"):
        src = ROOT / item
        (shutil.copytree if src.is_dir() else shutil.copy)(src, target / item)
    for env in ENVS:
        (target / "overlays" / env).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "overlays" / env / "env.yaml", target / "overlays" / env / "env.yaml")
    for src in _sample_files():
        rel = src.relative_to(ROOT).as_posix()
        if f"/{SAMPLE}/" not in f"/{rel}":
            dst = target / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
            continue
        text = src.read_text(encoding="utf-8")
        for index in range(apps):
            name = f"svc-{index:03d}"
            dst = target / rel.replace(SAMPLE, name)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(text.replace(SAMPLE, name), encoding="utf-8")


def time_ours(tree: Path, crd: str) -> tuple[float, float, float]:
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    settings = Settings(cache_dir=cache, tools_bin=ROOT / ".tools" / "bin",
                        crd_schema_locations=(crd,) if crd else (), today=date.today())
    # The Kubernetes schema cache is per machine and built once; keep it out of the timing.
    schemas = ROOT / ".cache" / "schemas"
    if schemas.is_dir():
        shutil.copytree(schemas, cache / "schemas")
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    kids_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    report = run_validation(Repo(tree), Options(), settings=settings)
    wall = time.perf_counter() - started
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    py = (self_after.ru_utime + self_after.ru_stime) - (self_before.ru_utime + self_before.ru_stime)
    tools = (kids_after.ru_utime + kids_after.ru_stime) - (kids_before.ru_utime + kids_before.ru_stime)
    shutil.rmtree(cache, ignore_errors=True)
    if not report.ok:
        print("  (ours reported findings:", sum(1 for _ in report.findings), ")")
    return wall, py, tools


def time_baseline(tree: Path, crd: str) -> float:
    env = {**os.environ, "TOOLS": str(ROOT / ".tools" / "bin"), "TREE": str(tree),
           "K8S_SCHEMAS": str(next((ROOT / ".cache" / "schemas").glob("*/v1.34-strict"))),
           "CRD_SCHEMAS": crd}
    started = time.perf_counter()
    subprocess.run(["bash", str(ROOT / "bench" / "baseline.sh")], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--crd-schemas", default=os.environ.get("MARTY_CRD_SCHEMA_LOCATION", ""))
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    print(f"{'N':>5} {'overlays':>8} {'ours s':>8} {'base s':>8} {'ratio':>6} "
          f"{'ours ms/overlay':>15} {'python share':>12}")
    for apps in args.apps:
        with tempfile.TemporaryDirectory(prefix=f"bench-{apps}-") as tmp:
            tree = Path(tmp)
            build_tree(tree, apps)
            ours, py, tools = time_ours(tree, args.crd_schemas)
            base = time_baseline(tree, args.crd_schemas)
            overlays = apps * 3
            print(f"{apps:>5} {overlays:>8} {ours:>8.1f} {base:>8.1f} {ours / base:>6.2f} "
                  f"{1000 * ours / overlays:>15.0f} {100 * py / (py + tools):>11.1f}%", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
