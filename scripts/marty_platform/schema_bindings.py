"""schemas/bindings.yaml: which JSON schema each of the repo's own files is checked against.

The one table both readers use: `scripts/validate`'s schema check validates the bindings it owns
(those without `checkedBy`), and the editor settings (`.vscode/settings.json`, generated) bind
every binding's files to the same schema for yaml-language-server. A binding another check
validates with the same schema (`checkedBy: monitoring`, say) is bound for editors only, so
nothing is checked twice. `partialOf` marks a generated schema for files layered over a chart's
defaults: the chart's values schema without its `required` lists.

The `kubernetes` entry binds the Kubernetes objects: every file a kustomization under its roots
lists in `resources`, to a generated schema that sends each (apiVersion, kind) to the schema
kubeconform validates it with: the pinned Kubernetes schemas (made self-contained in the cache by
`make bootstrap`) or the CRD schemas in schemas/crds/.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marty_platform import k8s_schemas, kustomize_fields
from marty_platform.crd_schemas import schema_path
from marty_platform.envconfig import load_env_config, manifest_env
from marty_platform.kustomize_fields import Role
from marty_platform.repo import Repo
from marty_platform.yamlio import YamlError, load_file, load_one

BINDINGS = "schemas/bindings.yaml"
CRD_SCHEMAS = "schemas/crds"
K8S_SCHEMA_CACHE = ".cache/schemas"  # the default cache (settings.py); editors need a fixed path


@dataclass(frozen=True)
class Binding:
    files: tuple[str, ...]  # glob patterns, repo-relative
    schema: str
    rule: str = "config"
    checked_by: str = ""  # another check validates these files against this schema
    partial_of: str = ""  # the schema this generated one is derived from


@dataclass(frozen=True)
class KubernetesBinding:
    roots: tuple[str, ...]
    schema: str


@dataclass(frozen=True)
class Bindings:
    bindings: tuple[Binding, ...]
    kubernetes: KubernetesBinding | None


def load(root: Path) -> Bindings:
    """The bindings; a file that cannot be read or is malformed raises YamlError (with the line
    when there is one)."""
    data = load_one(root / BINDINGS)
    if not isinstance(data, dict) or not isinstance(data.get("bindings", []), list):
        raise YamlError("expected a mapping with a list `bindings`")
    bindings = []
    for entry in data.get("bindings", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("schema"), str) \
                or not isinstance(entry.get("files"), list):
            raise YamlError(f"a binding needs `files` (a list) and `schema`: {entry!r}")
        bindings.append(Binding(tuple(map(str, entry["files"])), entry["schema"],
                                str(entry.get("rule", "config")), str(entry.get("checkedBy", "")),
                                str(entry.get("partialOf", ""))))
    kubernetes = data.get("kubernetes")
    if kubernetes is not None and not (isinstance(kubernetes, dict)
                                       and isinstance(kubernetes.get("schema"), str)):
        raise YamlError("`kubernetes` needs `roots` and `schema`")
    return Bindings(tuple(bindings), KubernetesBinding(
        tuple(map(str, kubernetes.get("roots", ()))), kubernetes["schema"]) if kubernetes else None)


def bound_files(root: Path, binding: Binding) -> list[Path]:
    return sorted({path for pattern in binding.files for path in root.glob(pattern)
                   if path.is_file()})


def kubernetes_manifests(root: Path, roots: tuple[str, ...]) -> list[Path]:
    """Every YAML file a kustomization under `roots` lists as a resource (not a patch, values or
    config file), inside the repo."""
    found = set()
    for top in roots:
        for kustomization in sorted((root / top).rglob("kustomization.yaml")):
            try:
                data = load_one(kustomization)
            except (OSError, YamlError):
                continue  # the yaml and kustomize checks report it
            if not isinstance(data, dict):
                continue
            for reference in kustomize_fields.kustomization(data).references:
                path = (kustomization.parent / reference.value).resolve()
                if reference.role is Role.RESOURCE and path.suffix in (".yaml", ".yml") \
                        and path.is_file() and root.resolve() in path.parents:
                    found.add(path)
    return sorted(found)


def object_kinds(paths: list[Path]) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every object in `paths`."""
    kinds = set()
    for path in paths:
        try:
            docs = load_file(path)
        except (OSError, YamlError):
            continue
        for doc in docs:
            if isinstance(doc.data, dict) and isinstance(doc.data.get("apiVersion"), str) \
                    and isinstance(doc.data.get("kind"), str):
                kinds.add((doc.data["apiVersion"], doc.data["kind"]))
    return kinds


@dataclass(frozen=True)
class KindSchema:
    api_version: str
    kind: str
    builtin: bool
    path: str  # built-in: the file name in the cache's version directory; CRD: under CRD_SCHEMAS


def kind_schemas(root: Path, kinds: set[tuple[str, str]], version: str,
                 cache_root: Path, package_version: str) -> list[KindSchema]:
    """The schema kubeconform checks each kind with, where there is one: Kubernetes' own for the
    kinds the version serves, else the CRD schema the repo carries."""
    served = k8s_schemas.served_api_versions(
        k8s_schemas.ensure_schemas(version, cache_root, package_version))
    found = []
    for api_version, kind in sorted(kinds):
        if api_version in served.get(kind, ()):
            found.append(KindSchema(api_version, kind, True,
                                    k8s_schemas.schema_name(kind, api_version)))
            continue
        group, _, kind_version = api_version.rpartition("/")
        crd = schema_path((group, kind, kind_version))
        if group and (root / CRD_SCHEMAS / crd).is_file():
            found.append(KindSchema(api_version, kind, False, crd))
    return found


def cache_dir_of(version: str, package_version: str) -> str:
    """The repo-relative directory of a version's self-contained schemas in the default cache."""
    return f"{K8S_SCHEMA_CACHE}/kubernetes-validate-{package_version}/v{version}-strict"


def editor_kubernetes_version(root: Path) -> str:
    """The Kubernetes version editors check against: that of the env judging rendered
    manifests (envconfig.manifest_env)."""
    repo = Repo(root)
    return load_env_config(repo, manifest_env(repo)).kubernetes_version


def kubernetes_kinds(root: Path, binding: KubernetesBinding, cache_root: Path,
                     package_version: str) -> tuple[list[Path], str, list[KindSchema]]:
    """The Kubernetes objects' files, the version editors check them against and the schema of
    each kind they use, its self-contained copy written into the cache for a built-in kind."""
    manifests = kubernetes_manifests(root, binding.roots)
    version = editor_kubernetes_version(root)
    kinds = kind_schemas(root, object_kinds(manifests), version, cache_root, package_version)
    schema_dir = k8s_schemas.ensure_schemas(version, cache_root, package_version)
    k8s_schemas.ensure_kinds(schema_dir, version, {(k.kind, k.api_version) for k in kinds
                                                   if k.builtin})
    return manifests, version, kinds
