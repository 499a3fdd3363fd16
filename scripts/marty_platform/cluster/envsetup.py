"""What an env needs on the hermetic server before its objects can be applied: a CRD for every
custom kind it renders and its namespaces, labelled with the Pod Security level env.yaml gives
them (enforce, warn and audit)."""
from __future__ import annotations

import json
from pathlib import Path

from marty_platform import crd_schemas
from marty_platform.cluster import crds
from marty_platform.cluster.local import kubectl
from marty_platform.cluster_scope import cluster_scoped_kinds
from marty_platform.envconfig import EnvConfig
from marty_platform.errors import UsageError
from marty_platform.model import ManifestObject
from marty_platform.repo import Repo
from marty_platform.tools.runner import ToolBox

# The field manager of what the tooling sets up on the server (CRDs, namespaces, applied envs).
SETUP_MANAGER = "marty-cluster"
PSA_MODES = ("enforce", "warn", "audit")


def server_minor(toolbox: ToolBox, kubeconfig: Path) -> str:
    info = kubectl(toolbox, kubeconfig, "version", "-o", "json", "--request-timeout=10s",
                   timeout=30).json()
    server = info.get("serverVersion") or {}
    return f"{server.get('major')}.{str(server.get('minor', '')).rstrip('+')}"


def require_version(config: EnvConfig, minor: str) -> None:
    """A server of another minor than the env runs proves nothing about the env."""
    if config.kubernetes_version != minor:
        raise UsageError(f"env {config.name} runs Kubernetes {config.kubernetes_version}, the "
                         f"API server is {minor}: pin kube-apiserver to the env's version in "
                         "tools.toml, or set kubernetesVersion in the env.yaml")


def namespaces(config: EnvConfig) -> list[dict]:
    """The env's namespaces with their Pod Security labels, each with the `default`
    ServiceAccount a controller manager would create (a Pod is refused without it)."""
    levels = config.pod_security.get("namespaces") or {}
    default = config.pod_security.get("default", "restricted")
    objects = []
    for name in config.namespaces:
        level = levels.get(name, default)
        labels = {f"pod-security.kubernetes.io/{mode}": level for mode in PSA_MODES}
        labels |= {f"pod-security.kubernetes.io/{mode}-version": "latest" for mode in PSA_MODES}
        objects.append({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": name, "labels": labels}})
    return objects + [{"apiVersion": "v1", "kind": "ServiceAccount",
                       "metadata": {"name": "default", "namespace": name}}
                      for name in config.namespaces]


def custom_kinds(repo: Repo, objects: list[dict], config: EnvConfig, cache_dir: Path,
                 schemas_version: str) -> set[crd_schemas.Kind]:
    wrapped = [ManifestObject(config.name, "", "", None, o) for o in objects]
    return crd_schemas.custom_kinds(wrapped, config.kubernetes_version, cache_dir / "schemas",
                                    schemas_version)


def apply_objects(toolbox: ToolBox, kubeconfig: Path, objects: list[dict], subject: str,
                  timeout: int = 300) -> None:
    """Server-side apply (for real) of `objects`, as the setup's field manager."""
    if not objects:
        return
    payload = json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}).encode()
    kubectl(toolbox, kubeconfig, "apply", "--server-side", "--force-conflicts",
            f"--field-manager={SETUP_MANAGER}", "-f", "-", stdin=payload, timeout=timeout,
            subject=subject)


def install(toolbox: ToolBox, kubeconfig: Path, repo: Repo, config: EnvConfig,
            objects: list[dict], cache_dir: Path, schemas_version: str) -> int:
    """CRDs for the custom kinds in `objects`, then the env's namespaces; returns the CRD count."""
    kinds = custom_kinds(repo, objects, config, cache_dir, schemas_version)
    definitions = crds.definitions(repo.root, kinds, cluster_scoped_kinds(repo))
    apply_objects(toolbox, kubeconfig, definitions, "the CRDs from schemas/crds")
    if definitions:
        kubectl(toolbox, kubeconfig, "wait", "--for=condition=Established", "--timeout=60s",
                *[f"crd/{d['metadata']['name']}" for d in definitions], timeout=90,
                subject="the CRDs from schemas/crds")
    apply_objects(toolbox, kubeconfig, namespaces(config), f"the namespaces of {config.name}")
    return len(definitions)


