"""Everything a check needs to run, built once per invocation."""
from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from marty_platform.envconfig import EnvConfig
from marty_platform.policy_library import PolicyLibrary
from marty_platform.repo import Repo
from marty_platform.tools.manifest import Manifest
from marty_platform.tools.runner import ToolBox


@dataclass
class Options:
    paths: tuple[Path, ...] = ()
    envs: tuple[str, ...] = ()
    crd_schema_locations: tuple[str, ...] = ()
    cache_dir: Path | None = None
    jobs: int = 0
    today: str | None = None  # ISO date that waivers expire against; today when None


@dataclass
class RunContext:
    repo: Repo
    options: Options
    manifest: Manifest
    toolbox: ToolBox
    cache_dir: Path
    pool: ThreadPoolExecutor
    env_configs: dict[str, EnvConfig] = field(default_factory=dict)
    run_dir: Path | None = None  # private scratch space of this invocation
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def full_repo(self) -> bool:
        return not self.options.paths

    @cached_property
    def policies(self) -> PolicyLibrary:
        """The Rego policy library, read once per run and shared by every check that needs it."""
        return PolicyLibrary.load(self.repo.root / "policies")

    def scratch(self, name: str) -> Path:
        with self._lock:
            if self.run_dir is None:
                parent = self.cache_dir / "run"
                parent.mkdir(parents=True, exist_ok=True)
                self.run_dir = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=parent))
        path = self.run_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path
