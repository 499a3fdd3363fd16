"""Terraform and the GitOps side agree, per env (docs/adr/0008-in-cluster-data-tier.md):

- the EKS version the env root passes (`kubernetes_version`) is the env's `kubernetesVersion`
  (overlays/<env>/env.yaml), the version every rendered object is validated against;
- every IAM role a rendered ServiceAccount names in `eks.amazonaws.com/role-arn` is an IRSA role
  the env root creates (`irsa_service_accounts`, role `<name>-<key>`), for that service account;
  and no role is created for a service account the env does not render;
- a data store runs once: PostgreSQL, Kafka or Redis rendered in the cluster (CloudNativePG,
  Strimzi, a Redis StatefulSet) is not also a managed service in the Terraform the env root calls.

Terraform is read as data (python-hcl2), never run; the env's objects come from the renders
validation made. The rendered checks judge an env only when every overlay of it was rendered
(the whole repo, or path mode with an overlay of it), since a missing service account is
otherwise just one not rendered this run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from marty_platform import hcl, terraform_tree
from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.envconfig import load_env_config
from marty_platform.model import CheckResult, Finding, ManifestObject, finding
from marty_platform.rules import Rule, declare

CHECK = "terraform-alignment"
RULES = declare(
    CHECK, "Terraform agrees with the GitOps side: EKS version, IRSA roles, one data tier.",
    Rule("kubernetes-version", "an env root's EKS `kubernetes_version` is not the env's "
         "`kubernetesVersion`"),
    Rule("env-root", "an env root is missing or does not say what the alignment checks read "
         "(a module call with literal `name`, `kubernetes_version`, `irsa_service_accounts`)"),
    Rule("irsa-role-missing", "a rendered ServiceAccount names a role the env root does not "
         "create for it"),
    Rule("irsa-role-unused", "the env root creates an IRSA role for a service account the env "
         "does not render with that role"),
    Rule("data-tier-twice", "a data store runs in the cluster and is also a managed service in "
         "the env's Terraform"),
    Rule("parse", "a .tf file read by the alignment checks does not parse"),
    module=__name__)
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)$")
# Managed services, by the data store they provide.
MANAGED = {
    "postgresql": ("aws_db_instance", "aws_rds_cluster"),
    "kafka": ("aws_msk_cluster", "aws_msk_serverless_cluster"),
    "redis": ("aws_elasticache_replication_group", "aws_elasticache_cluster",
              "aws_elasticache_serverless_cache"),
}


@dataclass
class EnvRoot:
    """What an env root's module call says, with where."""

    file: str = ""
    name: str | None = None
    kubernetes_version: str | None = None
    version_line: int | None = None
    irsa: dict[str, tuple[str, str]] | None = None  # key -> (namespace, service account)
    irsa_line: int | None = None
    resource_types: dict[str, str] = field(default_factory=dict)  # type -> file defining it
    problems: list[Finding] = field(default_factory=list)


def check(ctx: RunContext) -> list[CheckResult]:
    """The EKS version of every env root."""
    result = CheckResult(CHECK)
    if not (ctx.repo.root / terraform_tree.TERRAFORM_DIR / terraform_tree.ENVS).is_dir():
        return []  # no Terraform in this tree: nothing to align
    for env in ctx.repo.envs():
        root = read_env_root(ctx, env)
        result.stats.checked += 1
        result.findings += root.problems
        wanted = load_env_config(ctx.repo, env).kubernetes_version
        if root.kubernetes_version is not None and root.kubernetes_version != wanted:
            result.findings.append(finding(
                CHECK, "kubernetes-version", f"EKS kubernetes_version {root.kubernetes_version!r} "
                f"is not the env's kubernetesVersion {wanted!r} (overlays/{env}/env.yaml); "
                "upgrade both together", file=root.file, line=root.version_line, env=env))
    return [result]


def check_rendered(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    """IRSA roles and the data tier, against the env's rendered objects."""
    result = CheckResult(CHECK, env=batch.env)
    env_dir = terraform_tree.env_root(ctx.repo.root, batch.env)
    everything = [*batch.objects, *batch.staged.context]
    if not env_dir.is_dir() or not _whole_env(ctx, batch.env, everything):
        return []  # no env root, or only part of the env rendered: nothing judged
    root = read_env_root(ctx, batch.env)
    result.stats.checked = len(everything)
    if root.problems:
        return [result]  # reported by the repo check
    result.findings += _irsa(batch.env, root, everything)
    result.findings += _data_tier(batch.env, root, everything)
    return [result]


def _whole_env(ctx: RunContext, env: str, objects: list[ManifestObject]) -> bool:
    rendered = {o.source for o in objects}
    return all(ctx.repo.rel(overlay.path) in rendered for overlay in ctx.repo.overlays([env]))


def read_env_root(ctx: RunContext, env: str) -> EnvRoot:
    directory = terraform_tree.env_root(ctx.repo.root, env)
    root = EnvRoot(file=ctx.repo.rel(directory / "main.tf"))

    def problem(message: str, file: str = root.file, line: int | None = None) -> None:
        root.problems.append(finding(CHECK, "env-root", message, file=file, line=line, env=env))

    if not directory.is_dir():
        problem(f"env {env} has no Terraform root ({ctx.repo.rel(directory)}/)")
        return root
    call = None
    for path in terraform_tree.inside_files(ctx.repo.root, directory):
        parsed = _read(ctx, path, env, root)
        for block in parsed.of_type("module") if parsed else ():
            if "kubernetes_version" in block.body:
                call, root.file = block, ctx.repo.rel(path)
    if call is None:
        if not root.problems:
            problem("no module call sets kubernetes_version")
        return root
    root.name = hcl.literal_string(call.body.get("name"))
    root.kubernetes_version = hcl.literal_string(call.body.get("kubernetes_version"))
    root.version_line = call.lines.get("kubernetes_version")
    root.irsa_line = call.lines.get("irsa_service_accounts", call.line)
    root.irsa = _irsa_entries(call.body.get("irsa_service_accounts"))
    for what, value in (("name", root.name), ("kubernetes_version", root.kubernetes_version),
                        ("irsa_service_accounts", root.irsa)):
        if value is None:
            problem(f"module {call.name!r}: {what} must be a literal the checks can read",
                    line=call.lines.get(what, call.line))
    source = call.body.get("source")
    if isinstance(source, str) and source.startswith(("./", "../")):
        _collect_resources(ctx, directory / source, env, root, set())
    return root


def _read(ctx: RunContext, path: Path, env: str, root: EnvRoot) -> hcl.TfFile | None:
    try:
        return hcl.read(path)
    except hcl.HclError as exc:
        root.problems.append(finding(CHECK, "parse", exc.message, file=ctx.repo.rel(path),
                                     line=exc.line, env=env))
        return None


def _collect_resources(ctx: RunContext, directory: Path, env: str, root: EnvRoot,
                       seen: set[Path]) -> None:
    """The resource types of a module and the local modules it calls, inside the repo only."""
    directory = directory.resolve()
    if directory in seen or not ctx.repo.is_inside(directory) or not directory.is_dir():
        return
    seen.add(directory)
    for path in terraform_tree.inside_files(ctx.repo.root, directory):
        parsed = _read(ctx, path, env, root)
        for block in parsed.blocks if parsed else ():
            if block.type == "resource" and block.labels:
                root.resource_types.setdefault(block.labels[0], ctx.repo.rel(path))
            elif block.type == "module":
                source = block.body.get("source")
                if isinstance(source, str) and source.startswith(("./", "../")):
                    _collect_resources(ctx, directory / source, env, root, seen)


def _irsa_entries(value) -> dict[str, tuple[str, str]] | None:
    if not isinstance(value, dict):
        return None
    entries = {}
    for key, spec in value.items():
        if key.startswith("__"):
            continue
        if not isinstance(spec, dict):
            return None
        namespace, name = hcl.literal_string(spec.get("namespace")), hcl.literal_string(spec.get("name"))
        if namespace is None or name is None:
            return None
        entries[key] = (namespace, name)
    return entries


def _irsa(env: str, root: EnvRoot, objects: list[ManifestObject]) -> list[Finding]:
    created = {f"{root.name}-{key}": account for key, account in (root.irsa or {}).items()}
    accounts = {}
    found = []
    for obj in objects:
        if obj.data.get("kind") != "ServiceAccount" or obj.data.get("apiVersion") != "v1":
            continue
        meta = obj.data.get("metadata") or {}
        account = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        arn = (meta.get("annotations") or {}).get(ROLE_ANNOTATION)
        accounts[account] = arn
        if arn is None:
            continue
        match = _ROLE_ARN.match(str(arn))
        role = match.group("name") if match else None
        if role is None or created.get(role) != account:
            why = ("is not an IAM role ARN" if role is None else
                   f"names role {role!r}, which {root.file} does not create" if role not in created
                   else f"names role {role!r}, which {root.file} creates for "
                        f"{'/'.join(created[role])}")
            found.append(finding(CHECK, "irsa-role-missing", f"{ROLE_ANNOTATION} {why}; add "
                                 f"{account[0]}/{account[1]} to irsa_service_accounts",
                                 file=obj.file, line=obj.line, env=env,
                                 resource=f"ServiceAccount/{account[0]}/{account[1]}"))
    for role, account in sorted(created.items()):
        arn = accounts.get(account)
        match = _ROLE_ARN.match(str(arn)) if arn else None
        if not match or match.group("name") != role:
            state = "does not render" if account not in accounts else \
                f"renders without {ROLE_ANNOTATION} naming it"
            found.append(finding(CHECK, "irsa-role-unused", f"IRSA role {role!r} is for service "
                                 f"account {account[0]}/{account[1]}, which the env {state}",
                                 file=root.file, line=root.irsa_line, env=env))
    return found


def _data_tier(env: str, root: EnvRoot, objects: list[ManifestObject]) -> list[Finding]:
    in_cluster: dict[str, ManifestObject] = {}
    for obj in objects:
        store = _in_cluster_store(obj.data)
        if store:
            in_cluster.setdefault(store, obj)
    found = []
    for store, types in MANAGED.items():
        managed = [t for t in types if t in root.resource_types]
        if managed and store in in_cluster:
            obj = in_cluster[store]
            found.append(finding(CHECK, "data-tier-twice", f"{store} runs in the cluster "
                                 f"({obj.data.get('kind')}/{(obj.data.get('metadata') or {}).get('name')}"
                                 f", {obj.file}) and {root.file} also creates {managed[0]} "
                                 f"({root.resource_types[managed[0]]}); keep one (docs/adr/"
                                 "0008-in-cluster-data-tier.md)", file=root.file, env=env))
    return found


def _in_cluster_store(data: dict) -> str | None:
    group = str(data.get("apiVersion", "")).split("/")[0]
    kind = data.get("kind")
    if kind == "Cluster" and group == "postgresql.cnpg.io":
        return "postgresql"
    if kind == "Kafka" and group == "kafka.strimzi.io":
        return "kafka"
    if kind == "StatefulSet":
        containers = (((data.get("spec") or {}).get("template") or {}).get("spec") or {}) \
            .get("containers") or []
        images = [str(c.get("image", "")) for c in containers if isinstance(c, dict)]
        if any(re.search(r"(^|/)redis([:@]|$)", image) for image in images):
            return "redis"
    return None
