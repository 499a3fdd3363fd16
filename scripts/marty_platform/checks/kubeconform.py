"""kubeconform -strict on every rendered object, for the env's Kubernetes version and the next."""
from __future__ import annotations

import re

from marty_platform import crd_schemas, k8s_schemas
from marty_platform.batch import EnvBatch
from marty_platform.check_inputs import KUBECONFORM_AREAS, env_areas, tooling_digest
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, ManifestObject, Severity, finding
from marty_platform.patch_locations import locate_field
from marty_platform.result_cache import ScanCache, content_key, key_of
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import locate_pointer

CHECK = "kubeconform"
RULES = declare(
    CHECK, "Rendered objects against the Kubernetes and CRD schemas of the env's version.",
    Rule("schema", "an object breaks its schema"),
    Rule("removed-api", "an API the env's Kubernetes version no longer serves"),
    Rule("removed-in-next-minor", "an API the next Kubernetes minor removes (severity: "
         "`nextMinor` in env.yaml)", Severity.WARNING),
    Rule("next-minor-unknown", "the schemas do not know the env's next Kubernetes minor",
         Severity.INFO),
    Rule("no-schema", "no schema for a kind, so it is not checked (severity: `missingSchema` "
         "in env.yaml)", Severity.WARNING),
    Rule("unsafe-schema", "a carried CRD schema is a symlink or names a remote reference"),
    Rule("error", "kubeconform reported an error of its own"),
    module=__name__)


def _crd_locations(ctx: RunContext, unsafe: list[str]) -> list[str]:
    """The locations given, then the schemas the repo carries (unless one of them is unsafe)."""
    locations = []
    carried = [] if unsafe else [str(ctx.repo.root / crd_schemas.VENDORED_DIR)]
    for location in [*ctx.settings.crd_schema_locations, *carried]:
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


def _run(ctx: RunContext, batch: EnvBatch, schema_dir, unsafe: list[str],
         paths: list) -> dict[str, dict]:
    """kubeconform's verdict per staged file (of `paths`, all of the env's when they are all of
    them), against one Kubernetes version's schemas."""
    args = ["-strict", "-output", "json", "-verbose", "-n", str(max(ctx.options.jobs, 1)),
            "-schema-location", k8s_schemas.location_template(schema_dir)]
    for location in _crd_locations(ctx, unsafe):
        args += ["-schema-location", location]
    every = len(paths) == len(batch.staged.paths)
    targets = [str(batch.staged.directory)] if every else [str(p) for p in paths]
    completed = ctx.toolbox.run("kubeconform", *args, *targets,
                                problem_codes=(1,), subject=f"the rendered objects of {batch.env}")
    output = completed.json()
    resources = output.get("resources") if isinstance(output, dict) else None
    if not isinstance(resources, list):
        raise completed.failed("printed no list of resources")
    verdicts = {r.get("filename"): r for r in resources if isinstance(r, dict)}
    missing = [str(p) for p in paths if str(p) not in verdicts]
    if missing:  # every object given must have a verdict, or it was not checked
        raise completed.failed(f"gave no verdict for {len(missing)} of {len(paths)} objects")
    completed.reported([r for r in resources if r.get("status") != "statusValid"],
                       "invalid object")
    return verdicts


def _verdicts(ctx: RunContext, batch: EnvBatch, schema_dir, version: str,
              unsafe: list[str]) -> dict[str, dict]:
    """kubeconform's verdict per staged file. A verdict depends only on the object's bytes, the
    Kubernetes version, the schemas (the pinned versions, the carried CRD schemas) and the env's
    config: objects whose verdict is cached under those are not given to kubeconform again."""
    paths = list(batch.staged.paths)
    if ctx.results is None or ctx.inputs is None or ctx.settings.crd_schema_locations or not paths:
        return _run(ctx, batch, schema_dir, unsafe, paths)
    config = key_of(ctx.manifest.fingerprint(), ctx.inputs.tools, tooling_digest(), version,
                    *unsafe,
                    ctx.inputs.digest(env_areas(KUBECONFORM_AREAS, batch.env)))
    cache = ScanCache(ctx.cache_dir, "kubeconform", f"{batch.env}-{version}")
    verdicts, missed = {}, {}
    for path in paths:
        key = content_key(config, "", path.read_bytes())
        found = cache.get(key)
        if found and isinstance(found[0], dict):
            verdicts[str(path)] = {**found[0], "filename": str(path)}
        else:
            missed[str(path)] = key
    if missed:
        ran = _run(ctx, batch, schema_dir, unsafe, [p for p in paths if str(p) in missed])
        for name, key in missed.items():
            cache.put(key, [{k: v for k, v in ran[name].items() if k != "filename"}])
        verdicts.update(ran)
    if version == batch.config.kubernetes_version:  # objects, not objects × versions
        ctx.results.count(f"{CHECK} {batch.env}", hits=len(paths) - len(missed),
                          misses=len(missed))
    cache.save(keep_unused=not ctx.full_repo)
    return verdicts


def _violations(msg: str) -> list[tuple[str, str]]:
    """kubeconform packs every violation into one message; split it into (pointer, text)."""
    parts = re.findall(r"at '([^']*)': ([^-][^\n]*?)(?=\s+- at '|$)", msg)
    found = [(path or "/", text.strip()) for path, text in parts
             if text.strip() != "validation failed"]
    return found or [("", msg)]


def _field_pointer(pointer: str, text: str) -> str:
    """The pointer of the offending field: for unknown fields, the first unknown field itself."""
    unknown = re.match(r"additional properties '([^']+)'", text)
    if pointer and unknown:
        return f"{pointer.rstrip('/')}/{unknown.group(1)}"
    return pointer


def _unserved(obj: ManifestObject, schema_dir, version: str) -> str | None:
    """Why a built-in API has no schema in this version, naming the replacement; None for an
    API group Kubernetes does not serve itself (a CRD's, whose schema is simply missing)."""
    api_version, kind = str(obj.data.get("apiVersion")), str(obj.data.get("kind"))
    group = api_version.rpartition("/")[0]
    if group not in k8s_schemas.builtin_groups():
        return None
    served = k8s_schemas.served_api_versions(schema_dir).get(kind)
    if served:
        return (f"{api_version} {kind} is not served by Kubernetes {version} (removed); "
                f"use {' or '.join(served)}")
    return f"{api_version} {kind} is not an API served by Kubernetes {version}"


def _next_minor_unknown(ctx: RunContext, batch: EnvBatch, upcoming: str):
    """The env runs the newest Kubernetes the schemas know: say that its next minor is unchecked."""
    path = ctx.repo.env_config_path(batch.env)
    return finding(
        CHECK, "next-minor-unknown",
        f"Kubernetes {upcoming} is not checked: kubernetes-validate "
        f"{ctx.manifest.kubernetes_schemas_version} ships schemas up to "
        f"{k8s_schemas.shipped_versions()[-1]}, so APIs the next upgrade removes are not flagged",
        severity=Severity.INFO, env=batch.env, file=ctx.repo.rel(path),
        line=locate_pointer(path, None, "/kubernetesVersion"))


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    config = batch.config
    current = config.kubernetes_version
    upcoming = k8s_schemas.next_minor(current)
    result = CheckResult(CHECK, env=batch.env)
    carried = ctx.repo.root / crd_schemas.VENDORED_DIR
    # Read once per run, not once per env: parsing every carried schema takes a noticeable part
    # of a run that finds every object's verdict cached.
    unsafe = ctx.shared("unsafe-crd-schemas", lambda: crd_schemas.unsafe_schemas(carried)
                        if carried.is_dir() else [])
    for name in unsafe:
        result.findings.append(finding(
            CHECK, "unsafe-schema", "a symlink, or a CRD schema naming a remote $id, $schema or "
            f"$ref; the schemas in {crd_schemas.VENDORED_DIR} are not used until it is removed",
            file=f"{crd_schemas.VENDORED_DIR}/{name}", env=batch.env))
    now_dir = _schema_dir(ctx, batch, current)
    now = _verdicts(ctx, batch, now_dir, current, unsafe)
    later_dir, later = None, {}
    if upcoming in k8s_schemas.shipped_versions():
        later_dir = _schema_dir(ctx, batch, upcoming)
        later = _verdicts(ctx, batch, later_dir, upcoming, unsafe)
    elif batch.objects:
        result.findings.append(_next_minor_unknown(ctx, batch, upcoming))

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
                where = locate_field(obj, ctx.repo.root, _field_pointer(pointer, text))
                if where.note:
                    detail = f"{detail} ({where.note})"
                result.findings.append(finding(
                    CHECK, "schema", detail, **{**located, "file": where.file,
                                                "line": where.line}))
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
                    f"{obj.data.get('kind')} (add it to {crd_schemas.VENDORED_DIR} with "
                    "`scripts/refresh-crd-schemas`, or give its CRD schema location)",
                    severity=Severity(config.missing_schema), **located))
        else:
            result.stats.not_checked += 1
            result.findings.append(finding(CHECK, "error", msg or f"kubeconform: {status}",
                                           **located))
    return [result]
