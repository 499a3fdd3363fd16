"""What a validation run is doing while it runs, on stderr.

A whole-repo validate takes tens of seconds. On a terminal, a live rich progress display shows
each running stage (rendering the overlays, every check) and what is done; it is drawn on stderr
and only when stderr is a terminal, so CI logs, pipes and `--format json` output never contain
it. With `--verbose`, every stage also prints one timing line when it ends, terminal or not.

The engine calls `begin`, `advance` and `end`; `Progress` itself draws nothing (beyond the
timing lines), `LiveProgress` adds the rich display. `for_stream` picks one.
"""
from __future__ import annotations

import threading
import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
from rich.progress import Progress as RichProgress

from marty_platform.report.terminal import is_terminal, use_colour


class Progress:
    """Stages of a run, with their timing; prints a line per finished stage when verbose."""

    def __init__(self, stream: TextIO, verbose: bool = False):
        self.stream = stream
        self.verbose = verbose
        self._started: dict[int, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._next = 0

    def begin(self, label: str, total: int = 1) -> int:
        with self._lock:
            self._next += 1
            self._started[self._next] = (label, time.perf_counter())
            return self._next

    def advance(self, handle: int, amount: int = 1) -> None:
        """One more of the stage's `total` items is done."""

    def end(self, handle: int, findings: int = 0, note: str = "") -> None:
        """`note`: how the stage went besides its findings (its cache hits and misses)."""
        with self._lock:
            label, started = self._started.pop(handle, ("?", time.perf_counter()))
        if self.verbose:
            self._line(f"{time.perf_counter() - started:7.2f}s  {label}  "
                       f"{findings} finding{'' if findings == 1 else 's'}"
                       + (f"  ({note})" if note else ""))

    def close(self) -> None:
        """Nothing to tidy up: the plain progress draws nothing that stays on screen."""

    def _line(self, text: str) -> None:
        with self._lock:
            print(text, file=self.stream, flush=True)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LiveProgress(Progress):
    """A rich live display on a terminal: one row per running stage, removed when it ends."""

    def __init__(self, stream: TextIO, verbose: bool = False):
        super().__init__(stream, verbose)
        self.console = Console(file=stream, force_terminal=True, no_color=not use_colour(stream))
        self._display = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                     BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.elapsed:.1f}s"),
                                     console=self.console, transient=True)
        self._tasks: dict[int, object] = {}
        self._display.start()

    def begin(self, label: str, total: int = 1) -> int:
        handle = super().begin(label, total)
        self._tasks[handle] = self._display.add_task(label, total=max(total, 1))
        return handle

    def advance(self, handle: int, amount: int = 1) -> None:
        task = self._tasks.get(handle)
        if task is not None:
            self._display.advance(task, amount)

    def end(self, handle: int, findings: int = 0, note: str = "") -> None:
        task = self._tasks.pop(handle, None)
        if task is not None:
            self._display.remove_task(task)
        super().end(handle, findings, note)

    def close(self) -> None:
        self._display.stop()

    def _line(self, text: str) -> None:
        self._display.console.print(text, markup=False, highlight=False)  # above the live rows


def for_stream(stream: TextIO, verbose: bool = False) -> Progress:
    """A live display when `stream` is a terminal, else the plain (silent unless verbose) one."""
    return LiveProgress(stream, verbose) if is_terminal(stream) else Progress(stream, verbose)
