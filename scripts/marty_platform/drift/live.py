"""Live objects: from `kubectl get -o json` against the env's cluster, or from a file.

kubectl is not one of the pinned tools (it talks to a cluster, whose version decides which kubectl
to use), so it is taken from PATH and runs with the user's kubeconfig; only `get` is ever run.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from marty_platform.errors import ToolError, UsageError
from marty_platform.model import ResourceKey
from marty_platform.tools.runner import Command, run, user_environment
from marty_platform.yamlio import YamlError, load_file

NOT_SERVED = ("the server doesn't have a resource type", "no matches for kind")


def items_of(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return [i for i in data["items"] if isinstance(i, dict)]
    return [data] if isinstance(data, dict) and data.get("kind") else []


def load_live_file(path: Path) -> list[dict]:
    """A `kind: List` (or several documents) as `kubectl get -o json|yaml` prints it."""
    try:
        if path.suffix == ".json":
            return items_of(json.loads(path.read_text(encoding="utf-8")))
        return [item for doc in load_file(path) for item in items_of(doc.data)]
    except OSError as exc:
        raise UsageError(f"{path}: cannot read live objects: {exc.strerror}") from None
    except (YamlError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a kubectl List: {exc}") from None


def kubectl_binary() -> str:
    binary = shutil.which("kubectl")
    if not binary:
        raise ToolError("kubectl is not installed, so the live cluster cannot be read; install "
                        "kubectl, or pass --live FILE with `kubectl get -o json` output")
    return binary


def resource_name(kind: str, group: str) -> str:
    return f"{kind.lower()}.{group}" if group else kind.lower()


def fetch(context: str, kinds: set[tuple[str, str]], namespaces: tuple[str, ...],
          cluster_scoped: set[tuple[str, str]], selector: str | None) -> list[dict]:
    """Every object of `kinds` in `namespaces`; cluster-scoped kinds filtered by `selector`."""
    binary = kubectl_binary()
    objects: list[dict] = []
    for kind, group in sorted(kinds):
        scopes = [None] if (kind, group) in cluster_scoped else list(namespaces)
        for namespace in scopes:
            argv = [binary, "--context", context, "get", resource_name(kind, group), "-o", "json"]
            argv += ["--namespace", namespace] if namespace else (["-l", selector] if selector else [])
            completed = run(Command(argv=tuple(argv), env=user_environment(), timeout=120,
                                    problem_codes=(1,), subject=f"context {context}"))
            if not completed.ok:
                if any(text in completed.stderr for text in NOT_SERVED):
                    continue
                raise completed.failed(f"kubectl get {resource_name(kind, group)} failed")
            objects += items_of(completed.json())
    return objects


def kind_of(key: ResourceKey) -> tuple[str, str]:
    return key.kind, key.group
