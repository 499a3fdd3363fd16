"""policy: the Rego policy library on every rendered object (conftest), and its unit tests.

conftest exits 1 both when a policy fails and when it cannot load the policies (a Rego syntax
error); only the first prints results. `run_conftest` takes exit 1 as failures only when the JSON
results name some, so a broken policy library is a tooling error, never a clean run.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from marty_platform.batch import EnvBatch
from marty_platform.check_inputs import POLICY_AREAS, env_areas, tooling_digest
from marty_platform.cluster_scope import as_policy_data, cluster_scoped_kinds
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.envconfig import PRODUCTION
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.patch_locations import locate_field
from marty_platform import policy_capabilities
from marty_platform.policy_library import PolicyLibrary
from marty_platform.result_cache import ScanCache, content_key, key_of
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import Completed

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
    namespaces = {}
    for obj in [*batch.objects, *batch.staged.context]:
        metadata = obj.data.get("metadata")
        # A Namespace without a name (or labels of another type) is kubeconform's finding.
        if obj.data.get("kind") == "Namespace" and isinstance(metadata, dict) and \
                isinstance(metadata.get("name"), str):
            labels = metadata.get("labels")
            namespaces[metadata["name"]] = {"labels": labels if isinstance(labels, dict) else {}}
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


def _library_args(ctx: RunContext, library: PolicyLibrary, data_dirs: list[str]) -> list[str]:
    capabilities = ctx.shared("conftest-capabilities", lambda: policy_capabilities.write(
        ctx.scratch("conftest-capabilities")))
    args = ["--no-color", "--output", "json", "--policy", str(library.root),
            "--capabilities", str(capabilities)]
    for directory in data_dirs:
        args += ["--data", directory]
    return args


def run_conftest(ctx: RunContext, namespaces: list[str], files: list[str],
                 data_dirs: list[str], *extra: str) -> list[dict]:
    """`conftest test` of `files` against `namespaces` of the policy library: its JSON reports."""
    library = ctx.policies
    args = ["test", *_library_args(ctx, library, data_dirs), *extra]
    for namespace in namespaces:
        args += ["--namespace", namespace]
    completed = ctx.toolbox.run("conftest", *args, *files, problem_codes=(1,),
                                subject=f"{ctx.repo.rel(library.root)}/")
    reports = _reports(completed)
    completed.reported([item for report in reports for item in report.get("failures") or []],
                       "failing policy")
    return reports


def _reports(completed: Completed) -> list[dict]:
    """conftest's JSON reports. A policy calling a built-in the capabilities refuse stops the
    run with one usage line naming its file and line (the library cannot be evaluated)."""
    refused = None if completed.ok else policy_capabilities.refusal(completed.detail)
    if refused:
        raise UsageError(refused)
    reports = completed.json()
    if not isinstance(reports, list):
        raise completed.failed("printed results that are not a list of reports")
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
    cache = _ReportCache(ctx, batch, data_dirs)
    reports = []
    if library.object_namespaces and files:
        reports += cache.per_object(lambda missed: run_conftest(
            ctx, library.object_namespaces, missed, data_dirs))
    if library.combined_namespaces and files:
        reports += cache.combined(lambda: run_conftest(
            ctx, library.combined_namespaces, files + sorted(context_files), data_dirs,
            "--combine"))
    cache.save()
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


class _ReportCache:
    """conftest's reports cached by what decides them: the policy library, the env's data (its
    config and namespaces), the pinned versions and the objects' bytes. Per-object rules see one
    object, so each object's reports are cached by its own bytes and only the objects that
    missed are given to conftest; combined rules see the whole env, so their reports are cached
    by the bytes of every object (validated and context) together.

    Reports name the staged files, whose directory differs in every run and whose numbering
    differs between runs that validate different objects (a path-mode run stages the rest of the
    env apart, as context). An object's own reports are stored with its file name replaced by a
    placeholder and given back under the name it has in this run; combined reports are stored
    with the directory replaced, and their key holds every object's staged name with its bytes,
    so they are only reused where each name means the same object."""

    _PLACEHOLDER = "\\u0000staged"  # JSON text: a NUL, which no staged path holds
    _THIS_OBJECT = "\\u0000object"

    def __init__(self, ctx: RunContext, batch: EnvBatch, data_dirs: list[str]):
        self.ctx, self.batch = ctx, batch
        self.enabled = ctx.results is not None and ctx.inputs is not None
        if not self.enabled:
            return
        data = [part for directory in map(Path, data_dirs)
                for path in sorted(directory.rglob("*")) if path.is_file()
                for part in (path.relative_to(directory).as_posix(), path.read_bytes())]
        self.config = key_of(ctx.manifest.fingerprint(), ctx.inputs.tools, tooling_digest(), *data,
                             ctx.inputs.digest(env_areas(POLICY_AREAS, batch.env)))
        self.root = str(batch.staged.directory.parent)
        self.store = ScanCache(ctx.cache_dir, "conftest", batch.env)
        self.keys = {str(p): content_key(self.config, "", p.read_bytes())
                     for p in [*batch.staged.paths, *batch.staged.context_paths]}

    def _dump(self, reports: list[dict]) -> list:
        return json.loads(json.dumps(reports).replace(json.dumps(self.root)[1:-1],
                                                       self._PLACEHOLDER))

    def _load(self, stored: list) -> list[dict]:
        return json.loads(json.dumps(stored).replace(self._PLACEHOLDER,
                                                     json.dumps(self.root)[1:-1]))

    def _dump_object(self, reports: list[dict], name: str) -> list:
        return json.loads(json.dumps(reports).replace(json.dumps(name)[1:-1], self._THIS_OBJECT))

    def _load_object(self, stored: list, name: str) -> list[dict]:
        return json.loads(json.dumps(stored).replace(self._THIS_OBJECT, json.dumps(name)[1:-1]))

    def per_object(self, run) -> list[dict]:
        files = [str(p) for p in self.batch.staged.paths]
        if not self.enabled:
            return run(files)
        reports, missed = [], []
        for name in files:
            found = self.store.get("object:" + self.keys[name])
            if found is None:
                missed.append(name)
            else:
                reports += self._load_object(found, name)
        if missed:
            fresh = run(missed)
            if not {r.get("filename") for r in fresh} <= set(missed):
                return reports + fresh  # reports not mapped to the files given: not cached
            by_file: dict[str, list[dict]] = {}  # conftest's reports: one per file and namespace
            for report in fresh:
                by_file.setdefault(report.get("filename"), []).append(report)
            for name in missed:
                self.store.put("object:" + self.keys[name],
                               self._dump_object(by_file.get(name, []), name))
            reports += fresh
        self.ctx.results.count(f"{CHECK} {self.batch.env}", hits=len(files) - len(missed),
                               misses=len(missed))
        return reports

    def combined(self, run) -> list[dict]:
        if not self.enabled:
            return run()
        key = "combined:" + key_of(*(part for name, key in self.keys.items()
                                     for part in (self._staged_name(name), key)))
        found = self.store.get(key)
        if found is not None:
            return self._load(found)
        fresh = run()
        self.store.put(key, self._dump(fresh))
        return fresh

    def _staged_name(self, name: str) -> str:
        return Path(name).relative_to(self.root).as_posix()

    def save(self) -> None:
        if self.enabled:
            self.store.save(keep_unused=not self.ctx.full_repo)


def verify(ctx: RunContext) -> list[CheckResult]:
    """`conftest verify`: the policies' own unit tests must pass."""
    library = ctx.policies
    result = CheckResult(VERIFY_CHECK)
    if not library.root.is_dir() or not any(library.root.rglob("*_test.rego")):
        return [result]
    data_dirs = [str(library.data_dir)] if library.data_dir.is_dir() else []
    data_dirs.append(_cluster_scope_data(ctx, "verify"))
    completed = ctx.toolbox.run("conftest", "verify", *_library_args(ctx, library, data_dirs),
                                problem_codes=(1,), subject=f"{ctx.repo.rel(library.root)}/")
    reports = _reports(completed)
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
