"""monitoring/otel/: every env's OpenTelemetry Collector config, judged by the real collector.

The collector (`otelcol`) is built by the bootstrap from tools/go/otelcol, the sources the
OpenTelemetry Collector Builder generated from tools/otelcol/builder-config.yaml, and runs like
every pinned tool: in its own network namespace, with the sealed environment. Its only config
provider is `yaml`: each config is handed over as one `yaml:` argument, so a config cannot make
validation read a file or the environment; a `${...}` reference is a finding before the collector
runs (and an error of the collector if one slipped through). `otelcol validate` builds the
pipelines without starting them: no port is opened, no file a component names (`tls.ca_file`)
is read.
"""
from __future__ import annotations

import re
from pathlib import Path

from marty_platform.catalog import components as platform_components
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, Severity, finding
from marty_platform.monitoring import collector_config
from marty_platform.monitoring.collector_config import BUILDER_CONFIG, COMPONENT_KINDS
from marty_platform.monitoring.findings import rel
from marty_platform.rules import Rule, declare
from marty_platform.tools.runner import ToolBox
from marty_platform.yamlio import RULES as YAML_RULES
from marty_platform.yamlio import YamlError, load_documents, load_one

CHECK = "otelcol"
RULES = declare(
    CHECK, "OpenTelemetry Collector configs (`otelcol validate` of the collector built from "
    "tools/otelcol/builder-config.yaml).",
    *YAML_RULES,
    Rule("not-a-mapping", "a collector config is not a YAML mapping"),
    Rule("provider-reference", "a collector config resolves a value through a config provider "
         "(`${file:...}`, `${env:...}`); validation reads no file and no environment"),
    Rule("validate", "the collector rejects the config (an unknown component, a pipeline naming "
         "one that is not configured, an invalid setting)"),
    Rule("unused-component", "the collector is built with a component no env's config uses",
         Severity.WARNING),
    Rule("image-version", "the collector image the overlays deploy is not the version the "
         "builder manifest builds"),
    module=__name__)


def _finding(rule: str, message: str, file: str, line: int | None = None, env: str = ""):
    return finding(CHECK, rule, message, file=file, line=line, env=env)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    if collector_config.config_files(ctx.repo.root):
        result.findings, result.stats.checked = check_collector(ctx.repo.root, ctx.toolbox,
                                                                ctx.scratch("otelcol"))
    return [result]


def check_collector(root: Path, tools: ToolBox, workdir: Path) -> tuple[list, int]:
    """Findings about every env's collector config, and how many configs were judged. The
    collector runs in `workdir`, an empty scratch directory."""
    findings: list = []
    files = collector_config.config_files(root)
    used: dict[str, set[str]] = {kind: set() for kind in COMPONENT_KINDS}
    for path in files:
        config, found = _judge(root, tools, workdir, path)
        findings += found
        for kind, types in collector_config.used_components(config).items():
            used[kind] |= types
    if files and not findings:
        findings += _unused_components(root, tools, workdir, used)
    return findings + _image_version(root), len(files)


def _judge(root: Path, tools: ToolBox, workdir: Path, path: Path) -> tuple[dict, list]:
    """The config as data (empty when it does not load) and its findings."""
    file, env = rel(path, root), collector_config.env_of(path)
    try:
        config = load_one(path)
    except YamlError as exc:
        return {}, [_finding(exc.rule, exc.message, file, exc.line, env)]
    if not isinstance(config, dict):
        return {}, [_finding("not-a-mapping", "a collector config is a mapping of receivers, "
                             "processors, exporters, connectors, extensions and service", file,
                             1, env)]
    text = path.read_text(encoding="utf-8")
    found = [_finding("provider-reference", f"{ref.text}: resolving values through a config "
                      "provider is refused (validation reads no file and no environment); "
                      "write the value, or mount it in the collector's pod", file, ref.line, env)
             for ref in collector_config.references(text)]
    if found:
        return config, found
    completed = tools.run("otelcol", "validate", f"--config=yaml:{text}", problem_codes=(1,),
                          subject=file, cwd=workdir)
    detail = completed.rejection("rror")
    if detail:
        found.append(_finding("validate", _message(detail), file, _line(text, detail), env))
    return config, found


def _message(detail: str) -> str:
    """The collector's reason, without its usage text and log-line prefixes."""
    lines = [line for line in detail.splitlines() if not line.startswith(("Usage:", "  ", "Flags:",
                                                                          "Global Flags:"))]
    return " ".join(lines).strip() or detail


def _line(text: str, detail: str) -> int | None:
    """The line of the first component or pipeline id the collector's message quotes."""
    lines = text.splitlines()
    for quoted in re.findall(r'"([A-Za-z0-9_./-]+)"', detail):
        for pattern in (rf"^\s*{re.escape(quoted)}:", rf"[\[,\s]{re.escape(quoted)}\s*[,\]]"):
            for number, line in enumerate(lines, 1):
                if re.search(pattern, line) and not line.lstrip().startswith("#"):
                    return number
    return None


def _unused_components(root: Path, tools: ToolBox, workdir: Path,
                       used: dict[str, set[str]]) -> list:
    """Components built into the collector (`otelcol components`) that no env's config uses:
    the builder manifest should list exactly the ones the configs need."""
    built = tools.run("otelcol", "components", subject=BUILDER_CONFIG.as_posix(), cwd=workdir)
    try:
        listing = _components_listing(built.stdout)
    except YamlError:
        raise built.failed("printed unreadable output") from None
    text = (root / BUILDER_CONFIG).read_text(encoding="utf-8") \
        if (root / BUILDER_CONFIG).is_file() else ""
    findings = []
    for kind in COMPONENT_KINDS:
        for entry in listing.get(kind) or []:
            name = str(entry.get("name", "")) if isinstance(entry, dict) else str(entry)
            module = str(entry.get("module", "")) if isinstance(entry, dict) else ""
            if name and name not in used[kind]:
                line = next((n for n, line in enumerate(text.splitlines(), 1)
                             if module and module.split(" ")[0] in line), None)
                findings.append(_finding("unused-component", f"{kind[:-1]} {name!r} is built "
                                         "into the collector but no env's config uses it; "
                                         "remove it from the builder manifest",
                                         BUILDER_CONFIG.as_posix(), line))
    return findings


def _components_listing(output: str) -> dict:
    docs = load_documents(output)
    data = docs[0].data if docs else None
    if not isinstance(data, dict):
        raise YamlError("not a mapping")
    return data


def _image_version(root: Path) -> list:
    """The deployed image's tag is the builder manifest's `dist.version`."""
    manifest = root / BUILDER_CONFIG
    if not manifest.is_file():
        return []
    try:
        version = str(((load_one(manifest) or {}).get("dist") or {}).get("version") or "")
        components = platform_components.load(root)
    except (YamlError, UsageError, AttributeError, OSError):
        return []  # the yaml, schema and catalog checks name the problem
    collector = components.get("otelCollector") if isinstance(components, dict) else None
    tag = str((collector or {}).get("tag") or "")
    if not version or not tag or tag == version:
        return []
    return [_finding("image-version", f"otelCollector tag {tag!r} is not {version!r}, the "
                     f"version {BUILDER_CONFIG.as_posix()} builds: the deployed collector must "
                     "have the components and version validation ran",
                     "catalog/platform-components.yaml", _tag_line(root))]


def _tag_line(root: Path) -> int | None:
    lines = (root / "catalog" / "platform-components.yaml").read_text(encoding="utf-8").splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith("otelCollector:")), None)
    if start is None:
        return None
    return next((n + 1 for n in range(start, len(lines)) if lines[n].strip().startswith("tag:")),
                None)
