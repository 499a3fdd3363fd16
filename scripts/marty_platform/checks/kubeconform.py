"""kubeconform -strict on every rendered object, for the env's Kubernetes version and the next."""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform import k8s_schemas
from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, ManifestObject, Severity, finding
from marty_platform.yamlio import locate_pointer

CHECK = "kubeconform"
# Groups served by Kubernetes itself: a missing schema there means the API does not exist.
_CORE_GROUP = re.compile(r"^(|[a-z0-9]+|[a-z0-9.]+\.k8s\.io)$")


def _crd_locations(ctx: RunContext) -> list[str]:
    locations = []
    for location in ctx.options.crd_schema_locations:
        if "{{" not in location:
            location = location.rstrip("/") + "/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
        locations.append(location)
    return locations


def _schema_dir(ctx: RunContext, batch: EnvBatch, version: str):
    schema_dir = k8s_schemas.ensure_schemas(version, ctx.cache_dir / "schemas",
                                            ctx.manifest.kubernetes_schemas_version)
    k8s_schemas.ensure_kinds(schema_dir, version, {
        (str(o.data.get("kind")), str(o.data.get("apiVersion"))) for o in batch.objects})
    return schema_dir


def _run(ctx: RunContext, batch: EnvBatch, schema_dir) -> dict[str, dict]:
    """kubeconform's verdict per staged file, against one Kubernetes version's schemas."""
    args = ["-strict", "-output", "json", "-verbose", "-n", str(max(ctx.options.jobs, 1)),
            "-schema-location", k8s_schemas.location_template(schema_dir)]
    for location in _crd_locations(ctx):
        args += ["-schema-location", location]
    completed = ctx.toolbox.run("kubeconform", *args, str(batch.staged.directory),
                                problem_codes=(1,), subject=f"the rendered objects of {batch.env}")
    output = completed.json()
    resources = output.get("resources") if isinstance(output, dict) else None
    if not isinstance(resources, list):
        raise completed.failed("printed no list of resources")
    verdicts = {r.get("filename"): r for r in resources if isinstance(r, dict)}
    missing = [str(p) for p in batch.staged.paths if str(p) not in verdicts]
    if missing:  # every object given must have a verdict, or it was not checked
        raise completed.failed(f"gave no verdict for {len(missing)} of "
                               f"{len(batch.staged.paths)} objects")
    completed.reported([r for r in resources if r.get("status") != "statusValid"],
                       "invalid object")
    return verdicts


def _violations(msg: str) -> list[tuple[str, str]]:
    """kubeconform packs every violation into one message; split it into (pointer, text)."""
    parts = re.findall(r"at '([^']*)': ([^-][^\n]*?)(?=\s+- at '|$)", msg)
    found = [(path or "/", text.strip()) for path, text in parts
             if text.strip() != "validation failed"]
    return found or [("", msg)]


def _line_of(obj: ManifestObject, repo_root, pointer: str, text: str) -> int | None:
    """The line of the offending field when the object's source file has it, else the object's."""
    if not pointer or obj.line is None:
        return obj.line
    unknown = re.match(r"additional properties '([^']+)'", text)
    if unknown:  # point at the first unknown field itself
        pointer = f"{pointer.rstrip('/')}/{unknown.group(1)}"
    path = Path(obj.file) if Path(obj.file).is_absolute() else repo_root / obj.file
    return locate_pointer(path, obj.line, pointer) or obj.line


def _unserved(obj: ManifestObject, schema_dir, version: str) -> str | None:
    """Why a built-in API has no schema in this version, naming the replacement."""
    api_version, kind = str(obj.data.get("apiVersion")), str(obj.data.get("kind"))
    group = api_version.rpartition("/")[0]
    served = k8s_schemas.served_api_versions(schema_dir).get(kind)
    if served:
        return (f"{api_version} {kind} is not served by Kubernetes {version} (removed); "
                f"use {' or '.join(served)}")
    if _CORE_GROUP.match(group):
        return f"{api_version} {kind} is not an API served by Kubernetes {version}"
    return None


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    config = batch.config
    current = config.kubernetes_version
    upcoming = k8s_schemas.next_minor(current)
    result = CheckResult(CHECK, env=batch.env)
    now_dir = _schema_dir(ctx, batch, current)
    now = _run(ctx, batch, now_dir)
    later_dir, later = None, {}
    if upcoming in k8s_schemas.shipped_versions():
        later_dir = _schema_dir(ctx, batch, upcoming)
        later = _run(ctx, batch, later_dir)

    for path, obj in zip(batch.staged.paths, batch.objects):
        verdict = now.get(str(path), {"status": "statusError", "msg": "not reported by kubeconform"})
        status, msg = verdict.get("status"), verdict.get("msg", "")
        located = dict(file=obj.file, line=obj.line, env=batch.env, resource=str(obj.key))
        if status == "statusValid":
            result.stats.checked += 1
            next_status = later.get(str(path), {}).get("status")
            if next_status == "statusError" and "could not find schema" in later[str(path)].get("msg", ""):
                reason = _unserved(obj, later_dir, upcoming)
                if reason:
                    result.findings.append(finding(
                        CHECK, "removed-in-next-minor",
                        f"{reason}; upgrade the manifest before the cluster moves to {upcoming}",
                        severity=Severity(config.next_minor), **located))
        elif status == "statusInvalid":
            result.stats.checked += 1
            for pointer, text in _violations(msg):
                detail = f"{pointer}: {text}" if pointer else text
                result.findings.append(finding(
                    CHECK, "schema", detail, **{**located,
                                                "line": _line_of(obj, ctx.repo.root, pointer, text)}))
        elif "could not find schema" in msg:
            reason = _unserved(obj, now_dir, current)
            if reason:
                result.stats.checked += 1
                result.findings.append(finding(CHECK, "removed-api", reason, **located))
            else:
                result.stats.not_checked += 1
                result.findings.append(finding(
                    CHECK, "no-schema",
                    f"not checked: no schema for {obj.data.get('apiVersion')} "
                    f"{obj.data.get('kind')} (add its CRD schema location)",
                    severity=Severity(config.missing_schema), **located))
        else:
            result.stats.not_checked += 1
            result.findings.append(finding(CHECK, "error", msg or f"kubeconform: {status}",
                                           **located))
    return [result]
