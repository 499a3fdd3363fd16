"""`make bench`: every performance figure of scripts/validate, measured side by side in one run.

Synthetic repos of N renamed copies of the trust-anchor service (chart, profiles and components
shared) x 3 envs. Every validation is the real whole-repo `scripts/validate --format json`, started
as a user would, with a cache directory of its own (the per-machine Kubernetes schema cache is
copied in: it is built once per machine, not per run). The figures, each against its target:
  - cold at N (default 50) against bench/baseline.sh, a typical hand-written validate.sh
    (`kustomize build | kubeconform; conftest` per overlay), run serially and with every overlay
    as its own job, `nproc` at once; and that script's kustomize builds alone, in parallel, the
    floor under any validation that renders every overlay with kustomize;
  - warm: a second run with the same cache and no change, on this repo and at N, with the same
    findings as the cold run;
  - one change: one overlay file edited, then a whole-repo run with the same cache, with the
    findings a cold run of the edited tree reports;
  - scale: cold at the large N (default 1000), per-overlay cost against N's, and the peak memory
    of scripts/validate and every process it started (sampled from /proc, and never below what
    getrusage reports for the largest single process);
  - diff of two refs against one validation (bench/diff_bench.py).
`--quick` (or BENCH_QUICK=1) uses small sizes, for trying changes; `make bench` runs the full set.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import diff_bench  # noqa: E402
from marty_platform.kustomize_graph import KustomizeGraph  # noqa: E402
from marty_platform.repo import Repo  # noqa: E402

SAMPLE = "trust-anchor"
ENVS = Repo(ROOT).envs()
TOOLS_BIN = ROOT / ".tools" / "bin"
SCHEMA_CACHE = ROOT / ".cache" / "schemas"
GIB = 1 << 30
REDACTED = re.compile(r"<redacted:[0-9a-f]+>")


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


def edit_one_overlay(tree: Path) -> Path:
    """A promotion-like edit of one overlay's file: the image tag of the first service in the
    first env."""
    overlay = sorted((tree / "overlays" / ENVS[0]).glob("*/kustomization.yaml"))[0]
    text = overlay.read_text(encoding="utf-8")
    edited = text.replace("tag: ", "tag: 9.9.9-bench-", 1)
    assert edited != text, f"{overlay}: no image tag to edit"
    overlay.write_text(edited, encoding="utf-8")
    return overlay


def fresh_cache() -> Path:
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    if SCHEMA_CACHE.is_dir():
        shutil.copytree(SCHEMA_CACHE, cache / "schemas")
    return cache


class TreeMemory(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, sum(_rss(pid) for pid in _descendants(self.pid)))

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:  # a process may exit while it is being looked at
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Run:
    seconds: float
    findings: list[str]
    peak_bytes: int

    @property
    def count(self) -> int:
        return len(self.findings)


def validate(tree: Path, cache: Path, crd: str) -> Run:
    """One whole-repo `scripts/validate --format json` in `tree`, with `cache` as its cache."""
    env = {**os.environ, "MARTY_CACHE_DIR": str(cache), "MARTY_TOOLS_BIN": str(TOOLS_BIN),
           "MARTY_CRD_SCHEMA_LOCATION": crd}
    started = time.perf_counter()
    proc = subprocess.Popen([str(ROOT / "scripts" / "validate"), "--format", "json"], cwd=tree,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    memory.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scripts/validate in {tree} exited {proc.returncode}:\n{err[-2000:]}")
    # ru_maxrss of the children: the largest single process the bench has waited for so far
    # (KiB on Linux), a floor under the sampled sum should a short peak fall between samples
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    # A redacted secret is shown by a digest salted per run: equal findings differ only there.
    findings = sorted(REDACTED.sub("<redacted>", json.dumps(f, sort_keys=True))
                      for f in json.loads(out)["findings"])
    return Run(seconds, findings, max(peak, largest))


def baseline(tree: Path, crd: str, jobs: int, render_only: bool = False) -> float:
    env = {**os.environ, "TOOLS": str(TOOLS_BIN), "TREE": str(tree), "JOBS": str(jobs),
           "K8S_SCHEMAS": str(next(SCHEMA_CACHE.glob("*/v1.34-strict"))), "CRD_SCHEMAS": crd,
           "RENDER_ONLY": "1" if render_only else ""}
    started = time.perf_counter()
    subprocess.run(["bash", str(ROOT / "bench" / "baseline.sh")], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


@dataclass
class Table:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, figure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((figure, value, target, verdict))
        print(f"  {figure}: {value}" + (f"  [{target}: {verdict}]" if target else ""),
              file=sys.stderr, flush=True)

    def render(self) -> str:
        head = ("figure", "measured", "target", "")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(4)]
        lines = [" | ".join(c.ljust(w) for c, w in zip(head, widths)).rstrip(),
                 "-|-".join("-" * w for w in widths)]
        lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in self.rows]
        return "\n".join(lines)


def ratio(value: float, target: float) -> tuple[str, bool]:
    return f"{value:.2f}x", value <= target


def same(a: Run, b: Run) -> str:
    """Whether two runs found the same; the findings of only one of them go to stderr."""
    if a.findings == b.findings:
        return "same findings"
    for mark, only in (("-", sorted(set(a.findings) - set(b.findings))),
                       ("+", sorted(set(b.findings) - set(a.findings)))):
        for finding in only:
            print(f"    {mark} {finding}", file=sys.stderr)
    return f"DIFFERENT findings ({a.count} vs {b.count})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")),
                        help="small sizes (N=10, large N=40, diff 5 apps): for trying changes")
    parser.add_argument("--apps", type=int, help="N for the side-by-side figures (default 50)")
    parser.add_argument("--large", type=int, help="N for the scale figures (default 1000)")
    parser.add_argument("--diff-apps", type=int, help="apps in the diff benchmark (default 20)")
    parser.add_argument("--crd-schemas", default=os.environ.get("MARTY_CRD_SCHEMA_LOCATION", ""))
    args = parser.parse_args()
    apps = args.apps or (10 if args.quick else 50)
    large = args.large or (40 if args.quick else 1000)
    diff_apps = args.diff_apps or (5 if args.quick else 20)
    crd, cores = args.crd_schemas, os.cpu_count() or 1
    table = Table()
    print(f"bench: N={apps}, large N={large}, {cores} cores" + (" (quick)" if args.quick else ""),
          file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        # The repo itself: cold, then warm with no change.
        cache = fresh_cache()
        cold = validate(ROOT, cache, crd)
        warm = validate(ROOT, cache, crd)
        shutil.rmtree(cache, ignore_errors=True)
        table.add("repo: cold whole-repo validate", f"{cold.seconds:.1f} s")
        value, ok = ratio(warm.seconds / cold.seconds, 0.1)
        table.add("repo: warm, no change / cold", f"{value} ({warm.seconds:.1f} s, {same(cold, warm)})",
                  "<= 0.10x, same findings", ok and cold.findings == warm.findings)

        tree = Path(tmp) / f"n{apps}"
        tree.mkdir()
        build_tree(tree, apps)
        overlays = apps * len(ENVS)
        cache = fresh_cache()
        cold = validate(tree, cache, crd)
        table.add(f"N={apps} ({overlays} overlays): ours, cold", f"{cold.seconds:.1f} s "
                  f"({1000 * cold.seconds / overlays:.0f} ms/overlay, {cold.count} findings)")
        serial = baseline(tree, crd, 1)
        table.add(f"N={apps}: baseline, serial", f"{serial:.1f} s")
        parallel = baseline(tree, crd, cores)
        table.add(f"N={apps}: baseline, parallel ({cores} jobs)", f"{parallel:.1f} s")
        table.add(f"N={apps}: ours / serial baseline", f"{cold.seconds / serial:.2f}x")
        value, ok = ratio(cold.seconds / parallel, 0.35)
        table.add(f"N={apps}: ours / parallel baseline", value, "<= 0.35x", ok)
        # What the parallel baseline spends in `kustomize build` alone: no validation that
        # renders each overlay with kustomize, as ours must, can take less.
        render_floor = baseline(tree, crd, cores, render_only=True)
        table.add(f"N={apps}: its kustomize builds alone / parallel baseline",
                  f"{render_floor / parallel:.2f}x ({render_floor:.1f} s)")
        warm = validate(tree, cache, crd)
        value, ok = ratio(warm.seconds / cold.seconds, 0.1)
        table.add(f"N={apps}: warm, no change / cold", f"{value} ({warm.seconds:.1f} s, "
                  f"{same(cold, warm)})", "<= 0.10x, same findings",
                  ok and cold.findings == warm.findings)
        edited = edit_one_overlay(tree)
        changed = validate(tree, cache, crd)
        shutil.rmtree(cache, ignore_errors=True)
        cache = fresh_cache()
        cold_edited = validate(tree, cache, crd)
        shutil.rmtree(cache, ignore_errors=True)
        value, ok = ratio(changed.seconds / cold.seconds, 0.15)
        table.add(f"N={apps}: one overlay file changed / cold",
                  f"{value} ({changed.seconds:.1f} s, {edited.relative_to(tree)}; cold run of "
                  f"the edited tree {cold_edited.seconds:.1f} s: {same(cold_edited, changed)})",
                  "<= 0.15x, a cold run's findings", ok and changed.findings == cold_edited.findings)
        shutil.rmtree(tree, ignore_errors=True)

        tree = Path(tmp) / f"n{large}"
        tree.mkdir()
        build_tree(tree, large)
        cache = fresh_cache()
        big = validate(tree, cache, crd)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)
        big_overlays = large * len(ENVS)
        per_small, per_large = cold.seconds / overlays, big.seconds / big_overlays
        table.add(f"N={large} ({big_overlays} overlays): ours, cold", f"{big.seconds:.1f} s "
                  f"({big.count} findings)", "completes", True)
        table.add(f"per-overlay cost, N={apps} -> N={large}",
                  f"{1000 * per_small:.0f} -> {1000 * per_large:.0f} ms "
                  f"({per_large / per_small:.2f}x)", "linear: <= 1.20x", per_large <= 1.2 * per_small)
        table.add(f"N={large}: peak memory (validate + children)",
                  f"{big.peak_bytes / (1 << 20):.0f} MiB", "< 2048 MiB", big.peak_bytes < 2 * GIB)

    timing = diff_bench.measure(diff_apps)
    value, ok = ratio(timing.ratio, 1.5)
    table.add(f"diff of two refs / one validate ({diff_apps} apps x 3 envs)",
              f"{value} ({timing.diff_seconds:.1f} s / {timing.validate_seconds:.1f} s, "
              f"{timing.overlays} overlays at both refs)", "<= 1.50x", ok)

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{when}, {cores} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
