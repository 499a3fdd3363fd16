"""conftest: the Rego policy library on every rendered object, and its own unit tests."""
from __future__ import annotations

import json

from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.errors import ToolError
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.patch_locations import locate_field
from marty_platform.policy_library import PolicyLibrary
from marty_platform.tools.runner import run

CHECK = "conftest"


def _env_data(ctx: RunContext, batch: EnvBatch) -> str:
    """The env's facts, as data.marty.env and data.marty.namespaces for the policies."""
    namespaces = {
        obj.data["metadata"]["name"]: {"labels": obj.data["metadata"].get("labels") or {}}
        for obj in [*batch.objects, *batch.staged.context]
        if obj.data.get("kind") == "Namespace" and isinstance(obj.data.get("metadata"), dict)
    }
    config = batch.config
    data = {"marty": {"env": {"name": config.name, "kubernetesVersion": config.kubernetes_version,
                              "podSecurity": config.pod_security,
                              "images": {"requireDigest": config.require_digest}},
                      "namespaces": namespaces}}
    path = ctx.scratch(f"conftest-data-{batch.env}") / "env.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path.parent)


def _conftest(ctx: RunContext, library: PolicyLibrary, namespaces: list[str], files: list[str],
              data_dirs: list[str], combine: bool) -> list[dict]:
    args = ["test", "--no-color", "--output", "json", "--policy", str(library.root)]
    for directory in data_dirs:
        args += ["--data", directory]
    for namespace in namespaces:
        args += ["--namespace", namespace]
    if combine:
        args.append("--combine")
    completed = run(ctx.toolbox.command("conftest", *args, *files, ok_codes=(0, 1)))
    try:
        return json.loads(completed.stdout) if completed.stdout.strip() else []
    except json.JSONDecodeError:
        raise ToolError(f"conftest failed: {(completed.stderr or completed.stdout)[:800]}"
                        ) from None


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    library = ctx.policies
    result = CheckResult(CHECK, env=batch.env)
    if not library.object_namespaces and not library.combined_namespaces:
        return [result]
    data_dirs = [d for d in [str(library.data_dir) if library.data_dir.is_dir() else None,
                             _env_data(ctx, batch)] if d]
    files = [str(p) for p in batch.staged.paths]
    context_files = {str(p) for p in batch.staged.context_paths}
    reports = []
    if library.object_namespaces and files:
        reports += _conftest(ctx, library, library.object_namespaces, files, data_dirs, False)
    if library.combined_namespaces and files:
        reports += _conftest(ctx, library, library.combined_namespaces,
                             files + sorted(context_files), data_dirs, True)
    result.stats.checked = len(batch.objects)
    result.rules = dict.fromkeys(library.rules, len(batch.objects))
    for report in reports:
        for kind, default in (("failures", Severity.ERROR), ("warnings", Severity.WARNING)):
            for item in report.get(kind) or []:
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
                where = locate_field(obj, ctx.repo.root, str(meta.get("field") or "")) \
                    if obj else None
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
    result = CheckResult("conftest-verify")
    if not any(library.root.rglob("*_test.rego")) if library.root.is_dir() else True:
        return [result]
    args = ["verify", "--no-color", "--output", "json", "--policy", str(library.root)]
    if library.data_dir.is_dir():
        args += ["--data", str(library.data_dir)]
    completed = run(ctx.toolbox.command("conftest", *args, ok_codes=(0, 1)))
    try:
        reports = json.loads(completed.stdout) if completed.stdout.strip() else []
    except json.JSONDecodeError:
        result.findings.append(finding("conftest-verify", "error",
                                       (completed.stderr or completed.stdout).strip()[:800],
                                       file="policies"))
        return [result]
    for report in reports:
        result.stats.checked += (report.get("successes") or 0) + len(report.get("failures") or [])
        for item in report.get("failures") or []:
            result.findings.append(finding(
                "conftest-verify", "unit-test", f"policy unit test failed: {item.get('msg')}",
                file=ctx.repo.rel(ctx.repo.root / report.get("filename", "policies"))))
    if completed.returncode and not result.findings:
        result.findings.append(finding("conftest-verify", "error",
                                       (completed.stderr or "conftest verify failed").strip()[:800],
                                       file="policies"))
    return [result]
