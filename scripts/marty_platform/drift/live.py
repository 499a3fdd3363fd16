"""Live objects: from `kubectl get -o json` against the env's cluster, or from a file.

Against an env's cluster (`--context`), kubectl is taken from PATH (the cluster's version decides
which kubectl to use) and runs with the user's kubeconfig. With `--kubeconfig FILE` (the hermetic
server of `scripts/cluster`, or any server named by that file) the pinned kubectl runs, sealed,
with only that file. Only `get` reads the cluster; `--server-side` adds a dry-run apply.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from marty_platform.errors import ToolError, UsageError
from marty_platform.tools.runner import Command, run, user_environment
from marty_platform.yamlio import YamlError, decode, load_documents

NOT_SERVED = ("the server doesn't have a resource type", "no matches for kind")


def _shape_error(item) -> str | None:
    """What makes `item` no Kubernetes object (field names and types only, never values)."""
    if not isinstance(item, dict):
        return f"is a {type(item).__name__}, not an object"
    for name in ("apiVersion", "kind"):
        if not isinstance(item.get(name), str) or not item[name]:
            return f"has no string `{name}`"
    meta = item.get("metadata")
    if not isinstance(meta, dict):
        return "has no `metadata` mapping"
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        return "has no string `metadata.name`"
    if not isinstance(meta.get("namespace", ""), str):
        return "has a `metadata.namespace` that is not a string"
    for name in ("labels", "annotations"):
        if not isinstance(meta.get(name) or {}, dict):
            return f"has `metadata.{name}` that is not a mapping"
    return None


def live_objects(data, source: str) -> list[dict]:
    """The objects of a `kind: List` (or of a list of objects, or of one object), checked."""
    if isinstance(data, dict) and "items" in data:
        items = data["items"]
        if not isinstance(items, list):
            raise UsageError(f"{source}: `items` is not a list of Kubernetes objects")
    elif isinstance(data, dict):
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise UsageError(f"{source}: holds a {type(data).__name__}, not a kubectl List or "
                         "Kubernetes objects")
    for position, item in enumerate(items, 1):
        problem = _shape_error(item)
        if problem:
            raise UsageError(f"{source}: item {position} {problem}")
    return items


def load_live_file(path: Path) -> list[dict]:
    """A `kind: List` (or several documents) as `kubectl get -o json|yaml` prints it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read live objects: {exc.strerror}") from None
    try:
        if b"\0" in raw:
            raise YamlError("binary file, not `kubectl get -o json|yaml` output")
        text = decode(raw)
        if path.suffix == ".json":
            documents = [json.loads(text)]
        else:
            documents = [doc.data for doc in load_documents(text)]
    except YamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise UsageError(f"{where}: not a kubectl List: {exc.message}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not a kubectl List: {exc.msg}") from None
    except RecursionError:
        raise UsageError(f"{path}: not a kubectl List: nests too deeply to load") from None
    return [item for data in documents if data is not None
            for item in live_objects(data, str(path))]


@dataclass(frozen=True)
class Kubectl:
    """How to run kubectl against the cluster: the argv prefix and the environment."""
    argv: tuple[str, ...]
    env: dict
    subject: str

    def run(self, *args: str, stdin: bytes | None = None):
        return run(Command(argv=(*self.argv, *args), env=self.env, timeout=120, stdin=stdin,
                           problem_codes=(1,), subject=self.subject))


def user_kubectl(context: str) -> Kubectl:
    return Kubectl((kubectl_binary(), "--context", context), user_environment(),
                   f"context {context}")


def kubectl_binary() -> str:
    binary = shutil.which("kubectl")
    if not binary:
        raise ToolError("kubectl is not installed, so the live cluster cannot be read; install "
                        "kubectl, or pass --live FILE with `kubectl get -o json` output")
    return binary


def resource_name(kind: str, group: str) -> str:
    return f"{kind.lower()}.{group}" if group else kind.lower()


def fetch(kubectl: Kubectl, kinds: set[tuple[str, str]], namespaces: tuple[str, ...],
          cluster_scoped: set[tuple[str, str]], selector: str | None,
          desired_names: dict[tuple[str, str], set[str]] | None = None) -> list[dict]:
    """Every object of `kinds` in `namespaces`; cluster-scoped kinds filtered by `selector`,
    plus the cluster-scoped objects git names (`desired_names`), read by name: an object git
    declares is found whatever labels it carries, so it is never reported missing for lacking
    the selector's label."""
    objects: list[dict] = []
    for kind, group in sorted(kinds):
        resource = resource_name(kind, group)
        if (kind, group) in cluster_scoped:
            calls = [["-l", selector] if selector else []]
            names = sorted((desired_names or {}).get((kind, group), ()))
            if names:
                calls.append([*names, "--ignore-not-found"])
        else:
            calls = [["--namespace", namespace] for namespace in namespaces]
        for scope in calls:
            completed = kubectl.run("get", resource, *scope, "-o", "json")
            if not completed.ok:
                if any(text in completed.stderr for text in NOT_SERVED):
                    continue
                raise completed.failed(f"kubectl get {resource} failed")
            objects += _got(completed, f"kubectl get {resource}")
    return _unique(objects)


def _got(completed, source: str) -> list[dict]:
    """`kubectl get` of one name prints that object, of several a List; `--ignore-not-found`
    of names none of which exist prints nothing."""
    if not completed.stdout.strip():
        return []
    return live_objects(completed.json(), source)


def _unique(objects: list[dict]) -> list[dict]:
    """An object read both by label and by name is one object."""
    seen, result = set(), []
    for item in objects:
        meta = item.get("metadata") or {}
        key = (item.get("apiVersion"), item.get("kind"), meta.get("namespace"), meta.get("name"))
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


DRIFT_MANAGER = "marty-drift"


def predicted(kubectl: Kubectl, desired: list[dict]) -> list[dict]:
    """What the server would store for `desired`: a server-side apply in dry-run mode (Argo CD's
    Server-Side Diff), so defaults and merges come from the server, not from a table."""
    payload = json.dumps({"apiVersion": "v1", "kind": "List", "items": desired}).encode()
    completed = kubectl.run("apply", "--server-side", "--dry-run=server", "--force-conflicts",
                            f"--field-manager={DRIFT_MANAGER}", "-o", "json", "-f", "-",
                            stdin=payload)
    if not completed.ok:
        raise completed.failed("the dry-run apply of the desired objects failed")
    return live_objects(completed.json(), "the dry-run apply")
