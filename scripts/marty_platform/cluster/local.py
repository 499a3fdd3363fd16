"""etcd and kube-apiserver on loopback, with their data, keys and logs in one directory.

`up` starts both on free ports (token auth, RBAC, a generated service-account key pair, serving
certificates the API server generates in its --cert-dir), waits a bounded time for /readyz and
writes `kubeconfig` and `cluster.json` (the processes, by pid and start time). `down` stops
exactly those processes: the API server first (it can hang draining once etcd is gone), then
etcd, each with a bounded wait and SIGKILL after it. A start that fails says why, with the last
lines of the failed process's log, and stops what it started.
"""
from __future__ import annotations

import json
import secrets
import shutil
import socket
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from marty_platform.errors import MartyError, ToolError
from marty_platform.tools.runner import (
    Background,
    Command,
    ToolBox,
    run,
    start_background,
    stop_background,
)

STATE_FILE = "cluster.json"
KUBECONFIG = "kubeconfig"
READY_TIMEOUT = 90  # seconds; measured 7-10 s on 2 busy cores
# The API server drains requests on SIGTERM; etcd stops at once.
STOP_GRACE = {"kube-apiserver": 15.0, "etcd": 10.0}
SERVICE_CIDR = "10.96.0.0/16"
SERVER_TOOLS = ("etcd", "kube-apiserver", "kubectl")  # tools.toml, stage "server"


class ClusterError(MartyError):
    exit_code = 2


@dataclass(frozen=True)
class Cluster:
    directory: Path
    server: str
    processes: tuple[Background, ...]

    @property
    def kubeconfig(self) -> Path:
        return self.directory / KUBECONFIG

    def save(self) -> None:
        state = {"server": self.server,
                 "processes": [{**asdict(p), "log": str(p.log)} for p in self.processes]}
        (self.directory / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> "Cluster":
        path = directory / STATE_FILE
        try:
            state = json.loads(path.read_text())
            processes = tuple(Background(p["name"], int(p["pid"]), int(p["started"]),
                                         Path(p["log"])) for p in state["processes"])
            return cls(directory, str(state["server"]), processes)
        except FileNotFoundError:
            raise ClusterError(f"{path}: not found; no cluster was started in {directory}") \
                from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ClusterError(f"{path}: unreadable cluster state ({type(exc).__name__})") \
                from None


def free_port() -> int:
    """A loopback port no one listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _service_account_keys(directory: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private, public = directory / "sa.key", directory / "sa.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    private.chmod(0o600)
    return private, public


def _write_private(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def _kubeconfig(server: str, ca: Path, token: str) -> str:
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "marty-local",
        "clusters": [{"name": "marty-local",
                      "cluster": {"server": server, "certificate-authority": str(ca)}}],
        "users": [{"name": "marty-admin", "user": {"token": token}}],
        "contexts": [{"name": "marty-local",
                      "context": {"cluster": "marty-local", "user": "marty-admin"}}],
    }, indent=2) + "\n"


def _etcd_argv(toolbox: ToolBox, data: Path, client: int, peer: int) -> tuple[str, ...]:
    return (toolbox.path("etcd"), "--name", "marty", "--data-dir", str(data),
            "--listen-client-urls", f"http://127.0.0.1:{client}",
            "--advertise-client-urls", f"http://127.0.0.1:{client}",
            "--listen-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"marty=http://127.0.0.1:{peer}",
            # a throwaway store: no fsync, so a busy disk does not slow the start
            "--unsafe-no-fsync", "--log-level", "warn")


def _apiserver_argv(toolbox: ToolBox, directory: Path, etcd: int, port: int,
                    keys: tuple[Path, Path]) -> tuple[str, ...]:
    private, public = keys
    return (toolbox.path("kube-apiserver"),
            "--etcd-servers", f"http://127.0.0.1:{etcd}",
            "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
            "--secure-port", str(port), "--cert-dir", str(directory / "certs"),
            "--token-auth-file", str(directory / "tokens.csv"),
            "--authorization-mode", "RBAC",
            "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file", str(public),
            "--service-account-signing-key-file", str(private),
            "--service-cluster-ip-range", SERVICE_CIDR,
            # as real clusters run: Pod Security admission, not this flag, judges privilege
            "--allow-privileged=true",
            # no master-service endpoints: a loopback address is not a valid endpoint
            "--endpoint-reconciler-type=none", "--profiling=false", "--v=1")


def start(toolbox: ToolBox, directory: Path, progress=print) -> Cluster:
    """Start etcd and kube-apiserver with everything in `directory`; return once /readyz says
    ok. Refuses a directory whose recorded cluster is still running."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / STATE_FILE).exists():
        previous = Cluster.load(directory)
        if any(p.alive() for p in previous.processes):
            raise ClusterError(f"a cluster is already running in {directory}; "
                               f"`scripts/cluster down --dir {directory}` first")
    for name in SERVER_TOOLS:  # all installed before anything starts
        if not (toolbox.bin_dir / name).is_file():
            raise ToolError(f"{name}: not installed in {toolbox.bin_dir}; run "
                            "`make bootstrap-server`")
    token = secrets.token_urlsafe(32)
    _write_private(directory / "tokens.csv", f"{token},marty-admin,marty-admin,system:masters\n")
    keys = _service_account_keys(directory)
    client, peer, port = free_port(), free_port(), free_port()
    server = f"https://127.0.0.1:{port}"
    _write_private(directory / KUBECONFIG,
                   _kubeconfig(server, directory / "certs" / "apiserver.crt", token))
    env = toolbox.environment()
    started: list[Background] = []
    cluster = Cluster(directory, server, ())
    try:
        started.append(start_background(
            Command(argv=_etcd_argv(toolbox, directory / "etcd", client, peer), env=env,
                    cwd=directory), "etcd", directory / "etcd.log"))
        started.append(start_background(
            Command(argv=_apiserver_argv(toolbox, directory, client, port, keys), env=env,
                    cwd=directory), "kube-apiserver", directory / "kube-apiserver.log"))
        cluster = Cluster(directory, server, tuple(started))
        cluster.save()
        _wait_ready(toolbox, cluster, progress)
    except BaseException:
        stop(Cluster(directory, server, tuple(started)))
        raise
    return cluster


def kubectl(toolbox: ToolBox, kubeconfig: Path, *args: str, timeout: int = 120,
            problem_codes: tuple[int, ...] = (), stdin: bytes | None = None,
            subject: str = ""):
    """The pinned kubectl against `kubeconfig`, sealed otherwise. It is not network-isolated:
    the server it talks to listens on loopback of this machine."""
    env = {**toolbox.environment(), "KUBECONFIG": str(kubeconfig)}
    return run(Command(argv=(toolbox.path("kubectl"), *args), env=env, timeout=timeout,
                       problem_codes=problem_codes, stdin=stdin, root=toolbox.root,
                       subject=subject or "the API server"))


def _wait_ready(toolbox: ToolBox, cluster: Cluster, progress) -> None:
    began = time.monotonic()
    while True:
        for process in cluster.processes:
            if not process.alive():
                raise ClusterError(f"{process.name} exited during start; last lines of "
                                   f"{process.log}:\n{process.log_tail()}")
        probe = kubectl(toolbox, cluster.kubeconfig, "get", "--raw", "/readyz",
                        "--request-timeout=2s", timeout=10, problem_codes=(1,))
        if probe.ok and probe.stdout.strip() == "ok":
            progress(f"API server ready at {cluster.server} after "
                     f"{time.monotonic() - began:.1f}s")
            return
        if time.monotonic() - began > READY_TIMEOUT:
            api = cluster.processes[-1]
            raise ClusterError(f"the API server was not ready after {READY_TIMEOUT}s; last "
                               f"lines of {api.log}:\n{api.log_tail()}")
        time.sleep(0.5)


def stop(cluster: Cluster) -> list[tuple[str, int, str]]:
    """Stop the recorded processes, the API server first: (name, pid, outcome) each."""
    outcomes = []
    order = sorted(cluster.processes, key=lambda p: p.name != "kube-apiserver")
    for process in order:
        try:
            outcome = stop_background(process, STOP_GRACE.get(process.name, 10.0))
        except OSError as exc:
            raise ToolError(f"cannot stop {process.name} (pid {process.pid}): {exc}") from None
        outcomes.append((process.name, process.pid, outcome))
    return outcomes


def alive_pids(directory: Path) -> list[int]:
    """The recorded processes of the cluster in `directory` that still run."""
    return [p.pid for p in Cluster.load(directory).processes if p.alive()] \
        if (directory / STATE_FILE).exists() else []


def default_directory() -> Path:
    return Path(tempfile.mkdtemp(prefix="marty-cluster-"))


@contextmanager
def serving(settings, kubeconfig: Path | None):
    """(kubeconfig, started): the given server, or one started here and stopped (its directory
    removed) when the block ends, however it ends."""
    if kubeconfig is not None:
        yield kubeconfig.resolve(), False
        return
    toolbox = ToolBox(settings.tools_bin, settings.cache_dir / "home")
    directory = default_directory()
    try:
        cluster = start(toolbox, directory, progress=lambda message: None)
        try:
            yield cluster.kubeconfig, True
        finally:
            stop(cluster)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
