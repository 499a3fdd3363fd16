"""`validate --server`: every selected object is applied to a real API server with
`--dry-run=server --server-side --field-manager=marty-validate` and strict field validation.

The server rejects much a schema cannot see (a selector that does not match its template, an
invalid label value, a malformed quantity, a nodePort on a ClusterIP Service, two containers of one
name) and returns warnings (Pod Security `warn` on workload templates, deprecated APIs): each is
a finding on the object's source file. Nothing is stored: the apply is a dry run.

An overlay's objects go to the server in one kubectl call; only when that call reports a
rejection or a warning are its objects sent one by one, so each message names its object.
Without `--server` (plain `make validate`) this check does nothing and needs no server tools.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path

from marty_platform.batch import EnvBatch
from marty_platform.cluster import envsetup
from marty_platform.cluster.local import kubectl
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, ManifestObject, Severity, finding
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import clean_output
from marty_platform.yamlio import locate_pointer

CHECK = "server"
RULES = declare(
    CHECK, "Server-side dry-run apply on a real API server (`validate --server`).",
    Rule("rejected", "the API server refuses the object"),
    Rule("warning", "the API server warns about the object (Pod Security `warn` on a workload "
         "template, a deprecated API)", Severity.WARNING),
    Rule("version", "the API server runs another Kubernetes minor than the env"),
    Rule("pod-security-disagrees", "the Pod Security policies (Rego) and the server's Pod "
         "Security admission judge a workload differently"),
    module=__name__)
VALIDATE_MANAGER = "marty-validate"
DRY_RUN = ("apply", "--server-side", "--dry-run=server", f"--field-manager={VALIDATE_MANAGER}",
           "--validate=strict", "--force-conflicts", "-o", "name")
# One env at a time per server: an env's namespaces carry its own Pod Security labels.
_server_lock = threading.Lock()


def _dry_run(ctx: RunContext, kubeconfig: Path, paths: list[Path], subject: str):
    args = [arg for path in paths for arg in ("-f", str(path))]
    return kubectl(ctx.toolbox, kubeconfig, *DRY_RUN, *args, problem_codes=(1,),
                   timeout=300, subject=subject)


def _messages(stderr: str) -> tuple[list[str], list[str]]:
    """(rejections, warnings) in kubectl's stderr."""
    rejections, warnings = [], []
    for line in clean_output(stderr, limit=None).splitlines():
        if line.startswith("Warning: "):
            warnings.append(line.removeprefix("Warning: "))
        elif line.strip():
            rejections.append(line)
    return rejections, warnings


def _object_findings(ctx: RunContext, kubeconfig: Path, env: str, obj: ManifestObject,
                     path: Path) -> list:
    """The rejections and warnings of one object, each a finding on its source."""
    completed = _dry_run(ctx, kubeconfig, [path], f"{obj.key}")
    rejections, warnings = _messages(completed.stderr)
    if completed.found_problems and not rejections:
        raise completed.failed("refused the object without saying why")
    located = dict(file=obj.file, line=obj.line, env=env, resource=str(obj.key))
    found = []
    if completed.found_problems:
        found.append(finding(CHECK, "rejected", "; ".join(rejections)[:1500], **located))
    found += [finding(CHECK, "warning", text, **located) for text in warnings]
    return found


def _version_finding(ctx: RunContext, batch: EnvBatch, kubeconfig: Path):
    minor = envsetup.server_minor(ctx.toolbox, kubeconfig)
    try:
        envsetup.require_version(batch.config, minor)
    except UsageError as exc:
        path = ctx.repo.env_config_path(batch.env)
        return finding(CHECK, "version", str(exc), env=batch.env, file=ctx.repo.rel(path),
                       line=locate_pointer(path, None, "/kubernetesVersion"))
    return None


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    kubeconfig = ctx.options.server_kubeconfig
    if kubeconfig is None or not batch.objects:
        return []
    result = CheckResult(CHECK, env=batch.env)
    with _server_lock:
        mismatch = _version_finding(ctx, batch, kubeconfig)
        if mismatch:
            result.findings.append(mismatch)
            return [result]
        if ctx.options.server_prepare:
            envsetup.install(ctx.toolbox, kubeconfig, ctx.repo, batch.config,
                             [o.data for o in batch.objects], ctx.cache_dir,
                             ctx.manifest.kubernetes_schemas_version)
        groups: dict[str, list[tuple[ManifestObject, Path]]] = defaultdict(list)
        for obj, path in zip(batch.objects, batch.staged.paths):
            groups[obj.source].append((obj, path))
        for source, members in sorted(groups.items()):
            completed = _dry_run(ctx, kubeconfig, [path for _, path in members], source)
            result.stats.checked += len(members)
            if completed.ok and not completed.stderr.strip():
                continue
            for obj, path in members:
                result.findings += _object_findings(ctx, kubeconfig, batch.env, obj, path)
    result.findings += pod_security_agreement(ctx, batch, result.findings)
    return [result]


# Kinds whose pod template Pod Security admission judges (a custom kind's it never sees).
POD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
             "ReplicationController"}
POD_APIS = {"v1", "apps/v1", "batch/v1"}
PSA_WARNING = "would violate PodSecurity"
PSA_REFUSAL = "violates PodSecurity"
PSS_RULES = "pss."


def pod_security_agreement(ctx: RunContext, batch: EnvBatch, findings: list) -> list:
    """Every workload the Pod Security policies allow, the server's admission allows, and the
    reverse: a disagreement is a finding naming both verdicts."""
    from marty_platform.checks.policy import _env_data, run_conftest

    workloads = [(obj, path) for obj, path in zip(batch.objects, batch.staged.paths)
                 if obj.data.get("kind") in POD_KINDS and obj.data.get("apiVersion") in POD_APIS]
    if not workloads or not ctx.policies.data_dir.is_dir():
        return []
    reports = run_conftest(ctx, ["k8s.pod_security"], [str(p) for _, p in workloads],
                           [str(ctx.policies.data_dir), _env_data(ctx, batch)])
    rego: dict[str, set[str]] = {}
    for report in reports:
        for item in report.get("failures") or []:
            rule = str((item.get("metadata") or {}).get("rule", ""))
            if rule.startswith(PSS_RULES):
                rego.setdefault(report.get("filename", ""), set()).add(rule)
    # a workload template gets a `warn`; a Pod in an `enforce` namespace is refused
    admission = {f.resource: f.message for f in findings
                 if (f.rule == "warning" and PSA_WARNING in f.message)
                 or (f.rule == "rejected" and PSA_REFUSAL in f.message)}
    rejected = {f.resource for f in findings if f.rule == "rejected"} - set(admission)
    disagreements = []
    for obj, path in workloads:
        if str(obj.key) in rejected:
            continue  # refused before Pod Security admission gave a verdict
        denied_by_rego = sorted(rego.get(str(path), ()))
        warned = admission.get(str(obj.key))
        if bool(denied_by_rego) == bool(warned):
            continue
        rego_says = (f"denied ({', '.join(denied_by_rego)})" if denied_by_rego else "allowed")
        server_says = f"denied ({warned})" if warned else "allowed"
        disagreements.append(finding(
            CHECK, "pod-security-disagrees",
            f"Pod Security: the policies say {rego_says}, the API server's admission says "
            f"{server_says}", file=obj.file, line=obj.line, env=batch.env,
            resource=str(obj.key)))
    return disagreements
