"""Everything a check needs to run, built once per invocation."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from marty_platform.batch import EnvBatch

from marty_platform.check_inputs import InputIndex
from marty_platform.envconfig import EnvConfig
from marty_platform.errors import ToolError, UsageError
from marty_platform.policy_library import PolicyLibrary
from marty_platform.repo import Repo
from marty_platform.result_cache import ResultCache
from marty_platform.settings import Settings, require_writable, resolve
from marty_platform.tools.manifest import Manifest, load_manifest
from marty_platform.tools.runner import Prestarted, ToolBox

T = TypeVar("T")


@dataclass
class Options:
    """What a validation run is asked to do (where things live is in Settings)."""

    paths: tuple[Path, ...] = ()
    envs: tuple[str, ...] = ()
    jobs: int = 0
    # `validate --server`: the API server to dry-run against (checks/server.py), and whether the
    # run started it, so that it installs each env's CRDs and namespaces first.
    server_kubeconfig: Path | None = None
    server_prepare: bool = False


@dataclass
class RunContext:
    repo: Repo
    options: Options
    settings: Settings
    manifest: Manifest
    toolbox: ToolBox
    pool: ThreadPoolExecutor
    env_configs: dict[str, EnvConfig] = field(default_factory=dict)
    run_dir: Path | None = None  # private scratch space of this invocation
    # The content of every input (check_inputs.py) and the results cached by it, set by the
    # engine at the start of a validation.
    inputs: InputIndex | None = None
    results: ResultCache | None = None
    # Every env's objects of this run, set by the engine before any manifest check starts: a
    # check whose tool is costly to start scans every env at once (see `shared`).
    batches: dict[str, EnvBatch] = field(default_factory=dict)
    closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _shared: dict[str, Future] = field(default_factory=dict, repr=False)
    # Tools started before their input is ready (tools/runner.Prestarted), by name.
    _prestarted: dict[str, Prestarted] = field(default_factory=dict, repr=False)

    @property
    def cache_dir(self) -> Path:
        return self.settings.cache_dir

    @property
    def full_repo(self) -> bool:
        return not self.options.paths

    @cached_property
    def policies(self) -> PolicyLibrary:
        """The Rego policy library, read once per run and shared by every check that needs it.
        Every check that runs conftest gets it here first, so a policy that would read a file of
        the machine stops the run before conftest ever runs it."""
        library = PolicyLibrary.load(self.repo.root / "policies")
        for path, line, builtin in library.host_file_reads[:1]:
            raise UsageError(f"{self.repo.rel(path)}:{line}: calls {builtin}, which lets a policy "
                             "read any file of the machine; a policy reads only its input and "
                             "the data in policies/data")
        return library

    def shared(self, name: str, compute: Callable[[], T]) -> T:
        """`compute()`, run once per run: by the first check that asks for `name`, in its own
        thread, while every other check asking for it waits for the same value (or exception).
        For one tool run over every env's objects, shared by each env's check."""
        with self._lock:
            future = self._shared.get(name)
            first = future is None
            if first:
                future = self._shared[name] = Future()
        if first:
            try:
                future.set_result(compute())
            except BaseException as exc:  # every waiting check raises it too
                future.set_exception(exc)
        return future.result()

    def prestart(self, name: str, start: Callable[[], Prestarted]) -> None:
        """Start `name` now, once per run, for the check that runs it to `take` later. A tool
        that cannot be started here is started by that check as usual, which reports why."""
        with self._lock:
            if self.closed or name in self._prestarted:
                return
            try:
                self._prestarted[name] = start()
            except (OSError, ToolError):
                pass

    def take_prestarted(self, name: str) -> Prestarted | None:
        with self._lock:
            return self._prestarted.pop(name, None)

    def scratch(self, name: str) -> Path:
        """A fresh directory under this run's private `.cache/run/<pid>-*`, removed by close()."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the run is over; its scratch space is gone")
            if self.run_dir is None:
                parent = self.cache_dir / "run"
                parent.mkdir(parents=True, exist_ok=True)
                remove_stale_run_dirs(parent)
                self.run_dir = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=parent))
        path = self.run_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def close(self) -> None:
        """Remove the scratch space. Called once the pool has stopped, on every exit path."""
        with self._lock:
            self.closed = True
            run_dir, self.run_dir = self.run_dir, None
            unused, self._prestarted = list(self._prestarted.values()), {}
        for process in unused:
            process.discard()
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)


def build_context(repo: Repo, options: Options, pool: ThreadPoolExecutor,
                  settings: Settings | None = None) -> RunContext:
    """The context of one run over `repo`; `settings` default to those resolved for `repo` (a
    scratch copy of a repo passes the settings of the repo it was copied from)."""
    settings = settings or resolve(repo)
    require_writable(settings.cache_dir)
    return RunContext(repo=repo, options=options, settings=settings,
                      manifest=load_manifest(repo.root / "tools.toml"),
                      toolbox=ToolBox(settings.tools_bin, settings.cache_dir / "home",
                                      root=repo.root),
                      pool=pool)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_run_dirs(parent: Path) -> None:
    """Scratch directories of runs that were killed (SIGKILL, a crash of the machine) and so
    never cleaned up: their `<pid>-` prefix names a process that no longer exists."""
    for entry in parent.iterdir():
        pid = entry.name.split("-", 1)[0]
        if entry.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
