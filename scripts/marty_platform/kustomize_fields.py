"""What every field of a kustomization, and of every built-in generator or transformer config,
names: an allowlist.

A pull request decides what kustomize reads. Each field that can name a path or a URL is
classified here, so the kustomize graph can hold every one to the same rules (inside the repo,
nothing under .git/, no absolute path, nothing remote). A field this table does not know is
refused rather than trusted: a new kustomize release that adds a path-like field must be added
here before a kustomization may use it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from marty_platform.yamlio import YamlError, load_documents


class Role(enum.Enum):
    RESOURCE = "resource"  # a file of objects, or a kustomization directory
    COMPONENT = "component"  # a kustomization directory
    DATA = "data"  # a file kustomize reads: patch, values, env or data file, schema, ...
    PATCH = "patch"  # a file, or an inline patch (text spanning lines)
    CONFIG = "config"  # a file of generator/transformer configs, each classified in turn


@dataclass(frozen=True)
class Reference:
    field: str  # the field as written, for messages
    value: str
    role: Role


@dataclass(frozen=True)
class Chart:
    """A helm chart kustomize inflates: `name` under `home` (relative to the kustomization)."""

    home: str
    name: str
    field: str


@dataclass(frozen=True)
class Refusal:
    field: str
    needle: str  # text that locates the line
    rule: str
    message: str


@dataclass
class Classified:
    references: list[Reference] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    inline_configs: list[dict] = field(default_factory=list)

    def extend(self, other: "Classified") -> None:
        self.references += other.references
        self.charts += other.charts
        self.refusals += other.refusals
        self.inline_configs += other.inline_configs


DEFAULT_CHART_HOME = "charts"
FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")

# Fields that name nothing kustomize loads.
_KUSTOMIZATION_PLAIN = {
    "apiVersion", "kind", "metadata", "namePrefix", "nameSuffix", "namespace", "commonLabels",
    "labels", "commonAnnotations", "images", "replicas", "vars", "sortOptions",
    "generatorOptions", "buildMetadata",
}
_GENERATOR_ARGS = {"name", "namespace", "behavior", "literals", "options", "type", "files",
                   "envs", "env"}
_HELM_CHART_PLAIN = {"name", "version", "digest", "releaseName", "namespace", "valuesInline",
                     "valuesMerge", "includeCRDs", "skipHooks", "apiVersions", "kubeVersion",
                     "skipTests", "debug", "devel"}
# Fields whose value helm runs as code: `nameTemplate` becomes `helm template --name-template`,
# a Go template helm executes with every sprig function, `env` and `getHostByName` (a DNS lookup)
# included, which the chart templates themselves do not get. `releaseName` names the release.
_HELM_CHART_CODE = {"nameTemplate"}
_PATCH_FIELDS = {"path", "patch", "target", "options"}
# Built-in transformers that name no file: their fields are field specs and values only.
_PATHLESS_KINDS = {
    "AnnotationsTransformer", "HashTransformer", "ImageTagTransformer", "LabelTransformer",
    "NamespaceTransformer", "PrefixTransformer", "SuffixTransformer", "PrefixSuffixTransformer",
    "ReplicaCountTransformer", "ValueAddTransformer", "SortOrderTransformer",
    "LegacyOrderTransformer", "IAMPolicyGenerator",
}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unknown(result: Classified, where: str, key: str) -> None:
    result.refusals.append(Refusal(
        f"{where}.{key}" if where else key, f"{key}:", "unknown-field",
        f"field {key!r}{' of ' + where if where else ''} is not one validation knows; it is "
        "refused rather than trusted, since it could name a file or a URL"))


def _paths(result: Classified, where: str, value, role: Role) -> None:
    for entry in _as_list(value):
        if isinstance(entry, str) and entry.strip():
            result.references.append(Reference(where, entry, role))
        else:
            result.refusals.append(Refusal(where, f"{where.rsplit('.', 1)[-1]}:",
                                           "invalid-entry",
                                           f"{where} entry {entry!r} is not a path"))


def _refuse_remote(result: Classified, where: str, key: str, value) -> None:
    what = "a chart repository" if key == "repo" else "a helm config home"
    result.refusals.append(Refusal(
        f"{where}.{key}", str(value), "remote-reference",
        f"{where}.{key} names {what} ({value!r}); charts must be in the repo (charts/) so "
        "rendering stays offline and reads only the repo"))


def _generator(result: Classified, where: str, args: dict, allowed: set[str]) -> None:
    for key in args:
        if key not in allowed:
            _unknown(result, where, key)
    for entry in _as_list(args.get("files")):
        # `key=path` or `path`
        path = entry.split("=", 1)[1] if isinstance(entry, str) and "=" in entry else entry
        _paths(result, f"{where}.files", path, Role.DATA)
    _paths(result, f"{where}.envs", args.get("envs"), Role.DATA)
    _paths(result, f"{where}.env", args.get("env"), Role.DATA)


def _patch(result: Classified, where: str, patch, allowed: set[str]) -> None:
    if not isinstance(patch, dict):
        result.refusals.append(Refusal(where, where, "invalid-entry",
                                       f"{where} entries must be mappings"))
        return
    for key in patch:
        if key not in allowed:
            _unknown(result, where, key)
    _paths(result, f"{where}.path", patch.get("path"), Role.DATA)


def _helm_chart(result: Classified, where: str, chart: dict, home: str, extra: set[str]) -> None:
    for key in chart:
        if key in ("repo", "configHome"):
            _refuse_remote(result, where, key, chart[key])
        elif key in _HELM_CHART_CODE:
            result.refusals.append(Refusal(
                f"{where}.{key}", f"{key}:", "plugin",
                f"{where}.{key} is a template helm executes with functions that read the "
                "environment and resolve host names; validation executes no code from the repo. "
                "Name the release with releaseName"))
        elif key not in _HELM_CHART_PLAIN | {"valuesFile", "additionalValuesFiles"} | extra:
            _unknown(result, where, key)
    if "repo" in chart:
        return
    name = chart.get("name")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        result.refusals.append(Refusal(f"{where}.name", str(name), "invalid-chart-name",
                                       f"{where}.name must be a chart directory name under "
                                       f"the chart home, not {name!r}"))
    else:
        result.charts.append(Chart(home, name, where))
    _paths(result, f"{where}.valuesFile", chart.get("valuesFile"), Role.DATA)
    _paths(result, f"{where}.additionalValuesFiles", chart.get("additionalValuesFiles"), Role.DATA)


def _refuse_legacy_helm(result: Classified, where: str) -> None:
    result.refusals.append(Refusal(
        where, f"{where}:", "legacy-helm",
        f"{where} (the deprecated helm generator) is not supported: it can fetch charts and run "
        "another helm binary; use helmCharts with a chart in charts/"))


def _inline_configs(result: Classified, where: str, text: str) -> None:
    try:
        documents = load_documents(text)
    except YamlError as exc:
        first = text.strip().splitlines()[0]
        result.refusals.append(Refusal(where, first, exc.rule,
                                       f"inline {where} config: {exc.message}"))
        return
    for document in documents:
        if isinstance(document.data, dict):
            result.inline_configs.append(document.data)
        elif document.data is not None:
            result.refusals.append(Refusal(where, f"{where}:", "invalid-entry",
                                           f"inline {where} config must be a mapping"))


def kustomization(data: dict) -> Classified:
    """Classify every field of a Kustomization (or Component)."""
    result = Classified()
    globals_ = data.get("helmGlobals")
    home = DEFAULT_CHART_HOME
    for key, value in data.items():
        if key in _KUSTOMIZATION_PLAIN:
            continue
        if key in ("resources", "bases"):
            _paths(result, key, value, Role.RESOURCE)
        elif key == "components":
            _paths(result, key, value, Role.COMPONENT)
        elif key in ("crds", "configurations"):
            _paths(result, key, value, Role.DATA)
        elif key == "patchesStrategicMerge":
            _paths(result, key, value, Role.PATCH)
        elif key in ("patches", "patchesJson6902"):
            for patch in _as_list(value):
                _patch(result, key, patch, _PATCH_FIELDS)
        elif key == "replacements":
            for replacement in _as_list(value):
                _patch(result, key, replacement, {"path", "source", "targets"})
        elif key == "openapi":
            _patch(result, key, value, {"path", "version"})
        elif key in ("configMapGenerator", "secretGenerator"):
            for generator in _as_list(value):
                if isinstance(generator, dict):
                    _generator(result, key, generator, _GENERATOR_ARGS)
        elif key in ("generators", "transformers", "validators"):
            for entry in _as_list(value):
                if isinstance(entry, str) and "\n" in entry:
                    _inline_configs(result, key, entry)  # kustomize's inline config: YAML text
                elif isinstance(entry, dict):
                    result.inline_configs.append(entry)
                else:
                    _paths(result, key, entry, Role.CONFIG)
        elif key == "helmGlobals":
            for sub in value if isinstance(value, dict) else {}:
                if sub == "configHome":
                    _refuse_remote(result, key, sub, value[sub])
                elif sub != "chartHome":
                    _unknown(result, key, sub)
        elif key == "helmCharts":
            if isinstance(globals_, dict) and isinstance(globals_.get("chartHome"), str):
                home = globals_["chartHome"]
            for chart in _as_list(value):
                if isinstance(chart, dict):
                    _helm_chart(result, key, chart, home, set())
        elif key == "helmChartInflationGenerator":
            _refuse_legacy_helm(result, key)
        else:
            _unknown(result, "", key)
    return result


def plugin_config(config: dict) -> Classified:
    """Classify a generator/transformer/validator config, given inline or in a file."""
    result = Classified()
    kind = str(config.get("kind") or "")
    metadata = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"),
                                                           dict) else {}
    body = {k: v for k, v in config.items() if k not in ("apiVersion", "kind", "metadata")}
    if any(a in annotations for a in FUNCTION_ANNOTATIONS):
        result.refusals.append(Refusal(kind, "function", "plugin",
                                       f"{kind or 'config'} runs a KRM function (container or "
                                       "executable); validation executes no code"))
    elif kind in ("ConfigMapGenerator", "SecretGenerator"):
        _generator(result, kind, body, _GENERATOR_ARGS)
    elif kind == "HelmChartInflationGenerator":
        home = body.get("chartHome") if isinstance(body.get("chartHome"), str) else None
        _helm_chart(result, kind, body, home or DEFAULT_CHART_HOME, {"chartHome"})
    elif kind == "PatchTransformer":
        _patch(result, kind, body, _PATCH_FIELDS)
    elif kind == "PatchJson6902Transformer":
        _patch(result, kind, body, {"path", "jsonOp", "target"})
    elif kind == "PatchStrategicMergeTransformer":
        for key in body:
            if key not in ("paths", "patches"):
                _unknown(result, kind, key)
        _paths(result, f"{kind}.paths", body.get("paths"), Role.DATA)
    elif kind == "ReplacementTransformer":
        for key in body:
            if key != "replacements":
                _unknown(result, kind, key)
        for replacement in _as_list(body.get("replacements")):
            _patch(result, f"{kind}.replacements", replacement, {"path", "source", "targets"})
    elif kind not in _PATHLESS_KINDS:
        result.refusals.append(Refusal(kind or "kind", f"kind: {kind}" if kind else "kind:",
                                       "plugin",
                                       f"{kind or 'a config without a kind'} is not a built-in "
                                       "generator or transformer; plugins are disabled"))
    return result
