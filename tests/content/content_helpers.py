"""Helpers for the content tests: render the chart and overlays with the repo's pinned binaries."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from harness import TOOLS_BIN as BIN
from harness import pinned_tool

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "microservice"


def _tool(name: str) -> str:
    return str(pinned_tool(name))


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # kustomize runs `helm` from PATH
    return env


def objects(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]


def helm_template(values_file: Path, release: str = "svc") -> list[dict]:
    out = subprocess.run([_tool("helm"), "template", release, str(CHART), "-f", str(values_file)],
                         check=True, capture_output=True, text=True, env=_env(), timeout=60)
    return objects(out.stdout)


_BUILDS: dict[Path, list[dict]] = {}


def kustomize_build(overlay: Path) -> list[dict]:
    if overlay not in _BUILDS:
        out = subprocess.run([_tool("kustomize"), "build", "--enable-helm",
                              "--load-restrictor", "LoadRestrictionsNone", str(overlay)],
                             check=True, capture_output=True, text=True, env=_env(), timeout=60)
        _BUILDS[overlay] = objects(out.stdout)
    return _BUILDS[overlay]


def by_kind(objs: list[dict], kind: str) -> list[dict]:
    return [o for o in objs if o.get("kind") == kind]


def one(objs: list[dict], kind: str) -> dict:
    found = by_kind(objs, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]
