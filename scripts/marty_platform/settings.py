"""Where the tooling finds its tools, caches and schemas, and which day it is: resolved once per
invocation, from the command's flags and the environment, and nowhere else.

Environment variables (each read only here):
- MARTY_CACHE_DIR: renders, schemas and scratch space (default: <repo>/.cache)
- MARTY_TOOLS_BIN: the pinned tools (default: <repo>/.tools/bin)
- MARTY_CRD_SCHEMA_LOCATION: extra CRD schema locations for kubeconform, `:`-separated; they
  come after the ones given with --crd-schema-location
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.repo import Repo

CACHE_DIR_VAR = "MARTY_CACHE_DIR"
TOOLS_BIN_VAR = "MARTY_TOOLS_BIN"
CRD_LOCATION_VAR = "MARTY_CRD_SCHEMA_LOCATION"


@dataclass(frozen=True)
class Settings:
    cache_dir: Path
    tools_bin: Path
    crd_schema_locations: tuple[str, ...] = ()
    today: dt.date = dt.date.min  # resolve() always sets it; the waivers expire against it
    cache_dir_from_environment: bool = False  # a scratch tree then shares it without a link


def resolve(repo: Repo, *, crd_schema_locations: tuple[str, ...] = (),
            today: dt.date | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of one invocation in `repo`; flags first, then the environment."""
    environ = os.environ if environ is None else environ
    from_env = environ.get(CRD_LOCATION_VAR, "")
    cache = environ.get(CACHE_DIR_VAR)
    return Settings(
        cache_dir=Path(cache) if cache else repo.root / ".cache",
        tools_bin=Path(environ.get(TOOLS_BIN_VAR) or repo.root / ".tools" / "bin"),
        crd_schema_locations=tuple(crd_schema_locations)
        + tuple(p for p in from_env.split(os.pathsep) if p),
        today=today or dt.date.today(),
        cache_dir_from_environment=bool(cache),
    )


# The directories of the cache a validation writes into (scratch space, the tools' HOME, renders,
# results, scanner results, Kubernetes schemas).
VALIDATION_CACHE_AREAS = ("run", "home", "render", "results", "scans", "schemas")


def require_writable(cache_dir: Path) -> None:
    """Renders, schemas and scratch files live in the cache: say so once, up front, if it
    cannot be written, instead of failing somewhere in the middle of a check. Its top-level
    directories are checked too: one run as another user (sudo, a container) leaves them owned
    by that user. Deeper entries are only ever a cache (result_cache.py): one that cannot be
    written is skipped."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-probe-", dir=cache_dir)
        os.close(handle)
        os.unlink(probe)
        blocked = next((cache_dir / name for name in VALIDATION_CACHE_AREAS
                        if os.path.lexists(cache_dir / name) and not (
                            (cache_dir / name).is_dir()
                            and os.access(cache_dir / name, os.W_OK | os.X_OK))), None)
    except OSError as exc:
        raise UsageError(f"cache directory {cache_dir} is not writable ({exc.strerror or exc}); "
                         f"set {CACHE_DIR_VAR} to a writable directory") from None
    if blocked is not None:
        raise UsageError(f"cache directory {blocked} is not a directory this user can write; "
                         f"remove it, or set {CACHE_DIR_VAR} to a writable directory")
