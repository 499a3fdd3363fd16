"""policy: the Rego policy library on every rendered object (conftest), and its unit tests.

conftest exits 1 both when a policy fails and when it cannot load the policies (a Rego syntax
error); only the first prints results. `run_conftest` takes exit 1 as failures only when the JSON
results name some, so a broken policy library is a tooling error, never a clean run.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from marty_platform.batch import EnvBatch
from marty_platform.cluster_scope import as_policy_data, cluster_scoped_kinds
from marty_platform.context import RunContext
from marty_platform.envconfig import PRODUCTION
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.patch_locations import locate_field
from marty_platform.policy_library import PolicyLibrary
from marty_platform.rules import Rule, declare

CHECK = "policy"
RULES = declare(
    CHECK, "The Rego policies (conftest) on each env's rendered objects.",
    open_rules="policies/*/metadata.yaml; see [docs/policies.md](policies.md)",
    module=__name__)
VERIFY_CHECK = "policy-verify"
VERIFY_RULES = declare(
    VERIFY_CHECK, "The policies' own unit tests (`conftest verify`).",
    Rule("unit-test", "a policy unit test fails"),
    module=__name__)
_OUTCOMES = (("failures", Severity.ERROR), ("warnings", Severity.WARNING))


def _env_data(ctx: RunContext, batch: EnvBatch) -> str:
    """The env's facts, as data.marty.env and data.marty.namespaces for the policies."""
    namespaces = {
        obj.data["metadata"]["name"]: {"labels": obj.data["metadata"].get("labels") or {}}
        for obj in [*batch.objects, *batch.staged.context]
        if obj.data.get("kind") == "Namespace" and isinstance(obj.data.get("metadata"), dict)
    }
    config = batch.config
    data = {"marty": {"env": {"name": config.name, "kubernetesVersion": config.kubernetes_version,
                              "tier": PRODUCTION if config.production else "non-production",
                              "podSecurity": config.pod_security,
                              "images": {"requireDigest": config.require_digest}},
                      "namespaces": namespaces}}
    path = ctx.scratch(f"conftest-data-{batch.env}") / "env.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path.parent)


def _cluster_scope_data(ctx: RunContext, name: str) -> str:
    """The one list of cluster-scoped kinds (base/openapi/cluster-scoped-kinds.json), as
    data.marty.clusterScopedKinds: k8s.id names such objects without a namespace."""
    path = ctx.scratch(f"conftest-scope-{name}") / "cluster-scope.json"
    path.write_text(json.dumps(as_policy_data(cluster_scoped_kinds(ctx.repo))), encoding="utf-8")
    return str(path.parent)


def _library_args(library: PolicyLibrary, data_dirs: list[str]) -> list[str]:
    args = ["--no-color", "--output", "json", "--policy", str(library.root)]
    for directory in data_dirs:
        args += ["--data", directory]
    return args


def run_conftest(ctx: RunContext, namespaces: list[str], files: list[str],
                 data_dirs: list[str], *extra: str) -> list[dict]:
    """`conftest test` of `files` against `namespaces` of the policy library: its JSON reports."""
    library = ctx.policies
    args = ["test", *_library_args(library, data_dirs), *extra]
    for namespace in namespaces:
        args += ["--namespace", namespace]
    completed = ctx.toolbox.run("conftest", *args, *files, problem_codes=(1,),
                                subject=f"{ctx.repo.rel(library.root)}/")
    reports = completed.json()
    if not isinstance(reports, list):
        raise completed.failed("printed results that are not a list of reports")
    completed.reported([item for report in reports for item in report.get("failures") or []],
                       "failing policy")
    return reports


def outcomes(reports: list[dict]) -> Iterator[tuple[dict, dict, Severity]]:
    """(report, item, default severity) of every failure and warning in conftest's reports."""
    for report in reports:
        for kind, default in _OUTCOMES:
            for item in report.get(kind) or []:
                yield report, item, default


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    library = ctx.policies
    result = CheckResult(CHECK, env=batch.env)
    if not library.object_namespaces and not library.combined_namespaces:
        return [result]
    data_dirs = [d for d in [str(library.data_dir) if library.data_dir.is_dir() else None,
                             _env_data(ctx, batch), _cluster_scope_data(ctx, batch.env)] if d]
    files = [str(p) for p in batch.staged.paths]
    context_files = {str(p) for p in batch.staged.context_paths}
    reports = []
    if library.object_namespaces and files:
        reports += run_conftest(ctx, library.object_namespaces, files, data_dirs)
    if library.combined_namespaces and files:
        reports += run_conftest(ctx, library.combined_namespaces, files + sorted(context_files),
                                data_dirs, "--combine")
    result.stats.checked = len(batch.objects)
    result.rules = dict.fromkeys(library.rules, len(batch.objects))
    for report, item, default in outcomes(reports):
        meta = item.get("metadata") or {}
        rule = meta.get("rule") or meta.get("query", "policy")
        target = meta.get("path") or report.get("filename", "")
        obj = batch.staged.object_for(target)
        if obj is None and target in context_files:
            continue  # about a context object: not what is being validated
        info = library.rules.get(rule)
        severity = Severity(info.severity) if info else default
        message = item.get("msg", "")
        # A policy may name the offending field (`field`: a JSON pointer) to be located.
        where = locate_field(obj, ctx.repo.root, str(meta.get("field") or "")) if obj else None
        if where and where.note:
            message = f"{message} ({where.note})"
        result.findings.append(finding(
            CHECK, rule, message, severity=severity, env=batch.env,
            file=where.file if where else "", line=where.line if where else None,
            resource=str(obj.key) if obj else ""))
    return [result]


def verify(ctx: RunContext) -> list[CheckResult]:
    """`conftest verify`: the policies' own unit tests must pass."""
    library = ctx.policies
    result = CheckResult(VERIFY_CHECK)
    if not library.root.is_dir() or not any(library.root.rglob("*_test.rego")):
        return [result]
    data_dirs = [str(library.data_dir)] if library.data_dir.is_dir() else []
    data_dirs.append(_cluster_scope_data(ctx, "verify"))
    completed = ctx.toolbox.run("conftest", "verify", *_library_args(library, data_dirs),
                                problem_codes=(1,), subject=f"{ctx.repo.rel(library.root)}/")
    reports = completed.json()
    if not isinstance(reports, list):
        raise completed.failed("printed results that are not a list of reports")
    failures = completed.reported(
        [(report, item) for report in reports for item in report.get("failures") or []],
        "failing policy test")
    for report in reports:
        result.stats.checked += (report.get("successes") or 0) + len(report.get("failures") or [])
    for report, item in failures:
        result.findings.append(finding(
            VERIFY_CHECK, "unit-test", f"policy unit test failed: {item.get('msg')}",
            file=ctx.repo.rel(ctx.repo.root / report.get("filename", "policies"))))
    return [result]
