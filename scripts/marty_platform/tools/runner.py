"""The one place that runs external programs: argv, cwd, an explicit environment, a timeout.

Nothing else in the package starts a process. The runner judges every run the same way, so a check
cannot forget to: a tool that cannot be started, times out, or exits with a code its caller did not
declare raises ToolFailed. A caller declares two kinds of exit codes: `ok_codes` (the tool did its
job and found nothing) and `problem_codes` (the tool did its job and found problems in its input).
A run that exits with a problem code must say which problems: `Completed.reported()` and
`Completed.json()` refuse empty or unreadable output. So a tool that did not run properly is a
tooling error (exit 2), never zero findings.

No program inherits the caller's environment by accident: `Command.env` is always one of the
environments built here.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from marty_platform.diffing.redact import credential_rule, looks_like_key_material, marker, redact_text
from marty_platform.errors import ToolError, ToolFailed

DEFAULT_TIMEOUT = 600
# How much of a tool's output a finding or an error message quotes: the one bound.
DETAIL_LIMIT = 1500
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z_][\w.-]*)(?P<sep>\s*[:=]\s*)(?P<value>\"[^\"]*\"|'[^']*'|\S+)")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
_TOKEN = re.compile(r"[A-Za-z0-9+/_=.-]{20,}")
T = TypeVar("T")


def bounded(text: str, limit: int = DETAIL_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " [...]"


def clean_output(text: str, root: Path | None = None, limit: int | None = DETAIL_LIMIT) -> str:
    """A tool's output as findings and errors may quote it: no terminal escapes, paths relative to
    the repository, nothing that looks like a credential, and at most `limit` characters."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    text = _CONTROL.sub("", text)
    if root is not None:
        text = text.replace(f"{root}{os.sep}", "")
    text = redact_text(_URL_CREDENTIALS.sub(r"\g<scheme><redacted>@", text))
    text = _ASSIGNMENT.sub(_redact_assignment, text)
    text = _TOKEN.sub(lambda m: marker(m.group()) if looks_like_key_material(m.group())
                      else m.group(), text)
    text = "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())
    return bounded(text, limit) if limit else text


# Names that mention a credential without holding one: a kind (AuthorizationPolicy, Secret) or a
# reference to a secret (secretName, secretKeyRef).
_NOT_A_CREDENTIAL = re.compile(r"^[A-Z][a-z]|(Name|Ref|Namespace|Path)$")


def _redact_assignment(match: re.Match) -> str:
    name = match.group("name")
    if not credential_rule().is_credential_name(name) or _NOT_A_CREDENTIAL.search(name) or \
            match.group("value").startswith("<"):
        return match.group()
    return f"{match.group('name')}{match.group('sep')}{marker(match.group('value'))}"


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path | None = None
    ok_codes: tuple[int, ...] = (0,)
    problem_codes: tuple[int, ...] = ()
    timeout: int = DEFAULT_TIMEOUT
    stdin: bytes | None = None
    subject: str = ""  # what the run is about, as the user knows it ("policies/", a file)
    root: Path | None = None  # paths below it are shown relative in messages
    # Run in a network namespace of its own (see "No network" below); every pinned tool is.
    isolated: bool = False

    @property
    def tool(self) -> str:
        return Path(self.argv[0]).name

    def quoted(self) -> str:
        return shlex.join(self.argv)

    def failed(self, reason: str, output: str = "") -> ToolFailed:
        lines = output.strip().splitlines()
        return ToolFailed(self.tool, self.subject, reason, clean_output(output, self.root),
                          clean_output(lines[-1], self.root) if lines else "")


@dataclass(frozen=True)
class Completed:
    command: Command
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """The tool ran and found nothing to report."""
        return self.returncode in self.command.ok_codes

    @property
    def found_problems(self) -> bool:
        """The tool ran and says its input has problems; `reported()` must then find them."""
        return self.returncode in self.command.problem_codes

    @property
    def detail(self) -> str:
        """The tool's own words (stderr, else stdout), cleaned for quoting in a finding."""
        return clean_output(self.stderr.strip() or self.stdout, self.command.root)

    def failed(self, reason: str) -> ToolFailed:
        return self.command.failed(f"{reason} (exit {self.returncode})",
                                   self.stderr.strip() or self.stdout)

    def reported(self, problems: Sequence[T], what: str = "problem") -> Sequence[T]:
        """The problems parsed from the output. A run that exited with a problem code but names
        none did not do its job: that is a ToolFailed, never an empty result."""
        if self.found_problems and not problems:
            raise self.failed(f"reported failure but named no {what}")
        return problems

    def rejection(self, marker: str) -> str | None:
        """For tools that explain a rejected input in prose: None after a clean run, else the
        cleaned explanation. It must carry `marker`, the word the tool prints about an input it
        rejects ("FAILED", "Error:"); an exit without it is a ToolFailed."""
        if not self.found_problems:
            return None
        if marker not in self.stdout + self.stderr:
            raise self.failed(f"reported failure without saying {marker!r}")
        return self.detail

    def json(self):
        """stdout as JSON. Empty or unreadable output is a ToolFailed, never an empty result."""
        if not self.stdout.strip():
            raise self.failed("printed no result")
        try:
            return json.loads(self.stdout)
        except ValueError:
            raise self.failed("printed unreadable output") from None


def run(command: Command) -> Completed:
    argv = (*_launcher(), *command.argv) if command.isolated and network_isolation() \
        else command.argv
    try:
        proc = subprocess.run(
            argv, cwd=command.cwd, env=dict(command.env), input=command.stdin,
            capture_output=True, timeout=command.timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        raise command.failed(f"timed out after {command.timeout}s") from None
    except OSError as exc:  # missing, not executable, not a program for this machine
        raise command.failed(f"cannot be run: {exc.strerror or exc}") from None
    return _judged(command, argv is not command.argv, proc.returncode, proc.stdout, proc.stderr)


def _judged(command: Command, launched: bool, returncode: int, stdout: bytes,
            stderr: bytes) -> Completed:
    """What a finished run of `command` means: its output, or a ToolFailed when it did not run
    or exited with a status it does not use for its results."""
    completed = Completed(command, returncode, stdout.decode("utf-8", "replace"),
                          stderr.decode("utf-8", "replace"))
    if launched and returncode == _NOT_RUNNABLE and \
            completed.stderr.startswith("cannot be run: "):
        raise command.failed(completed.stderr.strip())  # the launcher could not execute the tool
    if not completed.ok and not completed.found_problems:
        raise completed.failed("unexpected exit status")
    return completed


class Prestarted:
    """A program started before its input is ready, so that its start (a Python tool importing
    itself for seconds) overlaps with the work that prepares the input. It waits for one line
    on stdin saying what to do; `finish` sends it and judges the run as `run` would judge the
    command it stands for (its timeout, exit codes and the name in messages)."""

    def __init__(self, command: Command):
        self.command = command
        self.launched = command.isolated and network_isolation()
        argv = (*_launcher(), *command.argv) if self.launched else command.argv
        self.process = subprocess.Popen(argv, cwd=command.cwd, env=dict(command.env),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)

    def finish(self, command: Command, request: bytes) -> Completed:
        """The run `command` would have been, done by this process given `request`."""
        try:
            stdout, stderr = self.process.communicate(request + b"\n", timeout=command.timeout)
        except subprocess.TimeoutExpired:
            self.discard()
            raise command.failed(f"timed out after {command.timeout}s") from None
        except OSError as exc:  # it ended before reading the request: judged by its status
            stdout, stderr = self.process.communicate()
            if self.process.returncode == 0:
                raise command.failed(f"ended before its input was ready: {exc}") from None
        return _judged(command, self.launched, self.process.returncode, stdout, stderr)

    def discard(self) -> None:
        """Stop it, unused or timed out."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


# No network. Remote references are refused before any tool runs (kustomize_graph); this is the
# second line, so that a reference the checks do not understand still cannot reach the network.
# A launcher run by the repo's own Python calls unshare(2), then executes the tool: as root (CI)
# it unshares the network namespace directly, otherwise it tries an unprivileged user namespace.
# The new namespace has no interface up. Where the kernel allows neither, tools run without it
# and the run says so once on stderr.

_UNAVAILABLE = 97
_NOT_RUNNABLE = 126  # what a shell answers for a file it cannot execute
_LAUNCHER = f"""
import ctypes, os, sys
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(CLONE_NEWNET) != 0:
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        sys.stderr.write("unshare: " + os.strerror(ctypes.get_errno()) + "\\n")
        sys.exit({_UNAVAILABLE})
    for name, text in (("setgroups", "deny"), ("uid_map", f"{{uid}} {{uid}} 1"),
                       ("gid_map", f"{{gid}} {{gid}} 1")):
        with open(f"/proc/self/{{name}}", "w") as handle:
            handle.write(text)
try:
    os.execv(sys.argv[1], sys.argv[1:])
except OSError as error:
    sys.stderr.write("cannot be run: " + (error.strerror or str(error)) + "\\n")
    sys.exit({_NOT_RUNNABLE})
"""
_isolation_lock = threading.Lock()
_isolation: bool | None = None


def _launcher() -> tuple[str, ...]:
    return (sys.executable, "-I", "-S", "-c", _LAUNCHER)


def network_isolation() -> bool:
    """Whether this machine can give a tool its own network namespace (probed once per run)."""
    global _isolation
    with _isolation_lock:
        if _isolation is None:
            try:
                probe = subprocess.run([*_launcher(), "/bin/sh", "-c", "exit 0"], env=dict(_LOCALE),
                                       capture_output=True, text=True, timeout=30, check=False)
                _isolation, reason = probe.returncode == 0, probe.stderr.strip()
            except (OSError, subprocess.TimeoutExpired) as exc:
                _isolation, reason = False, str(exc)
            if not _isolation:
                sys.stderr.write(f"note: tools run without network isolation ({reason}); "
                                 "remote references are still refused before any tool runs\n")
        return _isolation


# The environments a program may run with. Each says what it lets through and why.

_LOCALE = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def sealed_environment(bin_dir: Path, home: Path) -> dict[str, str]:
    """For the pinned tools: every home, cache and config points at a private directory, so a
    run never reads the user's Helm repositories, kube config or Terraform credentials, and no
    proxy or credential variable of the caller reaches a tool."""
    return {
        "PATH": f"{bin_dir}{os.pathsep}{_SYSTEM_PATH}",
        "HOME": str(home),
        **_LOCALE,
        "HELM_CACHE_HOME": f"{home}/helm/cache",
        "HELM_CONFIG_HOME": f"{home}/helm/config",
        "HELM_DATA_HOME": f"{home}/helm/data",
        "KUBECONFIG": os.devnull,
        "TF_CLI_CONFIG_FILE": os.devnull,
        # tflint runs only its bundled rule set: plugins are looked up here, nowhere else.
        "TFLINT_PLUGIN_DIR": f"{home}/tflint/plugins",
        "CHECKPOINT_DISABLE": "1",
        "NO_COLOR": "1",
    }


_GIT_PASSED = re.compile(r"^(HOME|USER|LOGNAME|TZ|XDG_CONFIG_HOME|GIT_(AUTHOR|COMMITTER)_\w+|"
                         r"GIT_CONFIG_GLOBAL|GIT_CONFIG_NOSYSTEM)$")


def git_environment() -> dict[str, str]:
    """For git: the user's identity and git config (a promotion commit is theirs), nothing else;
    GIT_DIR and friends never redirect it, it never prompts, and it never pages."""
    passed = {k: v for k, v in os.environ.items() if _GIT_PASSED.match(k)}
    return {"PATH": os.environ.get("PATH", _SYSTEM_PATH), **passed, **_LOCALE,
            "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"}


_BUILD_PASSED = re.compile(r"^(PATH|HOME|USER|TMPDIR|GO[A-Z0-9]*|PIP_\w+|VIRTUAL_ENV|SSL_CERT_\w+|"
                           r"REQUESTS_CA_BUNDLE|"
                           r"(?i:https?_proxy|no_proxy))$")


def build_environment(**extra: str) -> dict[str, str]:
    """For installing the pinned tools (`go install`, `pip`), the one step that downloads: the
    Go and pip settings and the proxy, nothing else of the caller's environment."""
    passed = {k: v for k, v in os.environ.items() if _BUILD_PASSED.match(k)}
    return {**passed, **_LOCALE, **extra}


def network_environment() -> dict[str, str]:
    """For the online scans of `scripts/scan --online` (pip-audit asking a vulnerability
    service), never for validation: the proxy and certificate settings, nothing else."""
    return build_environment()


def user_environment() -> dict[str, str]:
    """For kubectl only: it reads the live cluster as the user, with their kube config and the
    credential plugins it names. Validation never uses it."""
    return dict(os.environ)


class ToolBox:
    """Resolves pinned tools in .tools/bin and runs them with the sealed environment."""

    def __init__(self, bin_dir: Path, home: Path, root: Path | None = None):
        self.bin_dir = bin_dir
        self.home = home
        self.root = root

    def path(self, tool: str) -> str:
        candidate = self.bin_dir / tool
        if not candidate.is_file():
            raise ToolError(f"{tool}: not installed in {self.bin_dir}; run `make bootstrap`")
        return str(candidate)

    def environment(self) -> dict[str, str]:
        return sealed_environment(self.bin_dir, self.home)

    def command(self, tool: str, *args: str, **options) -> Command:
        """A pinned tool of the bin directory: `sealed_command((path, *args), **options)`."""
        return self.sealed_command((self.path(tool), *args), **options)

    def sealed_command(self, argv: tuple[str, ...], cwd: Path | None = None,
                       ok_codes: tuple[int, ...] = (0,), problem_codes: tuple[int, ...] = (),
                       stdin: bytes | None = None, timeout: int = DEFAULT_TIMEOUT,
                       subject: str = "") -> Command:
        """`argv` run the way every pinned tool is: the sealed environment, in a network
        namespace of its own (also for the scanners of the tooling's virtualenv)."""
        return Command(argv=argv, cwd=cwd, env=self.environment(), ok_codes=ok_codes,
                       problem_codes=problem_codes, stdin=stdin, timeout=timeout,
                       subject=subject, root=self.root, isolated=True)

    def run(self, tool: str, *args: str, **options) -> Completed:
        """Run a pinned tool: `run(self.command(tool, *args, **options))`."""
        return run(self.command(tool, *args, **options))


# Long-running processes (the hermetic API server and its etcd). They outlive the command that
# started them (`scripts/cluster up` returns; `down` stops them later), so a process is known by
# its pid *and* its start time: a recycled pid never names another program.

@dataclass(frozen=True)
class Background:
    """A started server process: its pid, its start time in clock ticks since boot (field 22 of
    /proc/<pid>/stat) and the file its output goes to."""
    name: str
    pid: int
    started: int
    log: Path

    def alive(self) -> bool:
        return _start_time(self.pid) == self.started

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return clean_output("\n".join(text.splitlines()[-lines:]), limit=None)


def _start_time(pid: int) -> int | None:
    """The process's start time, or None when it is gone or a zombie (exited, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return None if fields[0] in ("Z", "X") else int(fields[19])


def start_background(command: Command, name: str, log: Path) -> Background:
    """Start `command` detached (own session, no terminal), its output appended to `log`."""
    argv = (*_launcher(), *command.argv) if command.isolated and network_isolation() \
        else command.argv
    try:
        with open(log, "ab") as output:
            proc = subprocess.Popen(argv, cwd=command.cwd, env=dict(command.env),
                                    stdin=subprocess.DEVNULL, stdout=output,
                                    stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise command.failed(f"cannot be run: {exc.strerror or exc}") from None
    _children[proc.pid] = proc
    started = _start_time(proc.pid)
    return Background(name, proc.pid, started if started is not None else -1, log)


# Processes this Python started: reaped here, so a stopped child does not linger as a zombie.
_children: dict[int, subprocess.Popen] = {}


def _gone(process: Background) -> bool:
    child = _children.get(process.pid)
    if child is not None and child.poll() is not None:
        return True
    return not process.alive()


def stop_background(process: Background, grace: float) -> str:
    """SIGTERM, up to `grace` seconds to exit, then SIGKILL: "not running", "stopped" or
    "killed". Only the process recorded is signalled, never a pid now used by another program."""
    if _gone(process):
        return "not running"
    os.kill(process.pid, signal.SIGTERM)
    if _wait_gone(process, grace):
        return "stopped"
    if process.alive():
        os.kill(process.pid, signal.SIGKILL)
    _wait_gone(process, 10)
    return "killed"


def _wait_gone(process: Background, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(process):
            return True
        time.sleep(0.1)
    return _gone(process)
