"""Zero-config monitoring: a service added to the catalog is scraped, alerted on, dashboarded,
routed and traced with no edit outside the catalog. Per env, from the rendered objects and the
observability stack the env itself delivers (catalog/platform-controllers.yaml):

1. selection: the env's Prometheus selects by label (never everything), and selects every
   rendered ServiceMonitor, PodMonitor and PrometheusRule and its namespace;
2. dashboards: every rendered dashboard ConfigMap is picked up by Grafana's dashboard sidecar
   (label, namespace), and every datasource it names is a provisioned datasource uid;
3. routing: the Alertmanager object loads the repo's config (monitoring/alertmanager/, through
   the chart values), its receiver secret files are mounted, and every alert's `team` reaches one
   of that team's receivers (`<team>-...`, amtool on the loaded config) or the "null" receiver;
4. tracing: every trace exporter of the env's OpenTelemetry collectors points at an endpoint of
   a backend the env deploys.
"""
from __future__ import annotations

from pathlib import Path

from marty_platform import jsonio
from marty_platform.batch import EnvBatch
from marty_platform.catalog import controllers as catalog_controllers
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.generators.platform_controllers import alertmanager_values
from marty_platform.generators.prometheus_rules import dump
from marty_platform.model import CheckResult, ManifestObject, finding
from marty_platform.monitoring import stack
from marty_platform.monitoring.layout import ALERTMANAGER_CONFIG
from marty_platform.rules import Rule, declare

CHECK = "zero-config"
RULES = declare(
    CHECK, "Zero-config monitoring: every service is scraped, dashboarded, routed and traced by "
    "the stack its env deploys.",
    Rule("no-prometheus", "the env deploys no Prometheus (kube-prometheus-stack) to select its "
         "monitors and rules"),
    Rule("selector-everything", "a Prometheus selector is missing or empty: it would select "
         "everything"),
    Rule("not-selected", "a ServiceMonitor, PodMonitor or PrometheusRule (or its namespace) is "
         "not selected by the env's Prometheus"),
    Rule("no-grafana", "the env renders dashboards but deploys no Grafana"),
    Rule("dashboard-not-provisioned", "a dashboard ConfigMap is not picked up by Grafana's "
         "dashboard sidecar"),
    Rule("datasource-unknown", "a dashboard or datasource names a datasource uid Grafana does "
         "not provision"),
    Rule("alertmanager-config-not-loaded", "the Alertmanager does not load the repo's "
         "configuration, or a receiver secret file is not mounted"),
    Rule("team-unrouted", "an alert's team reaches none of the team's receivers"),
    Rule("trace-backend-missing", "a collector exports traces to no backend the env deploys"),
    module=__name__)

MONITOR_KINDS = {"ServiceMonitor": ("serviceMonitorSelector", "serviceMonitorNamespaceSelector"),
                 "PodMonitor": ("podMonitorSelector", "podMonitorNamespaceSelector"),
                 "PrometheusRule": ("ruleSelector", "ruleNamespaceSelector")}
SILENCED = "null"


def _where(obj: ManifestObject, env: str) -> dict:
    return dict(file=obj.file, line=obj.line, env=env, resource=str(obj.key))


def _among(obj: ManifestObject, objects: list[ManifestObject]) -> bool:
    return any(o is obj for o in objects)


def _is_monitoring(obj: ManifestObject) -> bool:
    return str(obj.data.get("apiVersion", "")).startswith("monitoring.coreos.com/")


# --- 1. selection ------------------------------------------------------------------------------

def _selection(root: Path, env: str, everything: list[ManifestObject],
               judged: list[ManifestObject]) -> list:
    monitors = [o for o in judged if _is_monitoring(o) and o.data.get("kind") in MONITOR_KINDS]
    release = stack.delivered_release(everything, stack.PROMETHEUS_RELEASE)
    if release is None:
        return [finding(CHECK, "no-prometheus", f"{env} renders {len(monitors)} monitors and "
                        f"rules but deploys no {stack.PROMETHEUS_RELEASE} to select them "
                        "(catalog/platform-controllers.yaml)", env=env,
                        file=monitors[0].file, line=monitors[0].line)] if monitors else []
    spec = stack.dig(stack.release_values(root, release, stack.PROMETHEUS_RELEASE),
                     "prometheus", "prometheusSpec") or {}
    found = []
    broken = set()
    if _among(release, judged) or monitors:
        for selector_key in sorted({k for pair in MONITOR_KINDS.values() for k in pair}):
            if stack.selects_everything(spec.get(selector_key)):
                broken.add(selector_key)
                found.append(finding(
                        CHECK, "selector-everything",
                        f"prometheus.prometheusSpec.{selector_key} of {stack.PROMETHEUS_RELEASE} "
                        "is missing or empty, so it selects everything (or, left to the chart, "
                        "only its own release); select by label, e.g. matchLabels "
                        "{app.kubernetes.io/part-of: marty}", **_where(release, env)))
    namespaces = stack.namespace_labels(everything)
    for obj in monitors:
        selector_key, namespace_key = MONITOR_KINDS[obj.data["kind"]]
        if selector_key in broken or namespace_key in broken:
            continue
        namespace = str((obj.data.get("metadata") or {}).get("namespace") or "")
        if not stack.matches(spec[selector_key], stack.labels_of(obj.data)):
            found.append(finding(
                CHECK, "not-selected",
                f"{obj.data['kind']} labels {stack.labels_of(obj.data)} do not match the "
                f"{env} Prometheus {selector_key} {spec[selector_key]}", **_where(obj, env)))
        elif namespace not in namespaces:
            found.append(finding(
                CHECK, "not-selected",
                f"namespace {namespace or '(none)'} of this {obj.data['kind']} is not rendered "
                f"in {env}, so nothing proves the {env} Prometheus {namespace_key} selects it",
                **_where(obj, env)))
        elif not stack.matches(spec[namespace_key], namespaces[namespace]):
            found.append(finding(
                CHECK, "not-selected",
                f"namespace {namespace} (labels {namespaces[namespace]}) does not match the "
                f"{env} Prometheus {namespace_key} {spec[namespace_key]}", **_where(obj, env)))
    return found


# --- 2. dashboards -----------------------------------------------------------------------------

def _dashboards(obj: ManifestObject) -> list[tuple[str, dict]]:
    found = []
    for key, text in (obj.data.get("data") or {}).items():
        if str(key).endswith(".json"):
            try:
                dashboard = jsonio.loads(text)
            except (TypeError, ValueError):
                continue  # not JSON: not a dashboard this check can read
            if isinstance(dashboard, dict) and "panels" in dashboard:
                found.append((str(key), dashboard))
    return found


def _datasource_problems(dashboard: dict, datasources: dict[str, str]) -> list[str]:
    """What in a dashboard names a datasource Grafana does not have (uid -> type)."""
    variables = {v.get("name"): v for v in (dashboard.get("templating") or {}).get("list") or []
                 if isinstance(v, dict) and v.get("type") == "datasource"}
    known_types = set(datasources.values())
    problems = set()
    for reference in stack.datasource_references(dashboard):
        uid = reference.get("uid") if isinstance(reference, dict) else reference
        if not isinstance(uid, str) or uid in stack.BUILTIN_DATASOURCES:
            continue
        name = stack.variable_of(uid)
        if name is None:
            if uid not in datasources:
                problems.add(f"datasource uid {uid!r}")
        elif name not in variables:
            problems.add(f"${{{name}}}, which is no datasource variable")
        elif variables[name].get("query") not in known_types:
            problems.add(f"${{{name}}} of type {variables[name].get('query')!r}, of which "
                         "Grafana provisions no datasource")
    return sorted(problems)


def _provisioned_datasources(values: dict) -> list[dict]:
    config = stack.dig(values, "datasources", "datasources.yaml") or {}
    return [d for d in (config.get("datasources") or []) if isinstance(d, dict)] \
        if isinstance(config, dict) else []


def _linked_uids(datasource: dict) -> list[str]:
    data = datasource.get("jsonData") or {}
    linked = [d.get("datasourceUid") for d in data.get("exemplarTraceIdDestinations") or []
              if isinstance(d, dict)]
    for link in ("tracesToMetrics", "tracesToLogsV2", "tracesToLogs", "serviceMap"):
        if isinstance(data.get(link), dict):
            linked.append(data[link].get("datasourceUid"))
    return [uid for uid in linked if uid]


def _grafana(root: Path, env: str, everything: list[ManifestObject],
             judged: list[ManifestObject]) -> list:
    boards = [(o, _dashboards(o)) for o in judged if o.data.get("kind") == "ConfigMap"]
    boards = [(o, found) for o, found in boards if found]
    release = stack.delivered_release(everything, stack.GRAFANA_RELEASE)
    if release is None:
        return [finding(CHECK, "no-grafana", f"{env} renders dashboards but deploys no Grafana "
                        "(catalog/platform-controllers.yaml)", **_where(boards[0][0], env))] \
            if boards else []
    values = stack.release_values(root, release, stack.GRAFANA_RELEASE)
    datasources = {str(d.get("uid")): str(d.get("type")) for d in
                   _provisioned_datasources(values) if d.get("uid")}
    found = []
    if _among(release, judged):
        for datasource in _provisioned_datasources(values):
            for uid in _linked_uids(datasource):
                if uid not in datasources:
                    found.append(finding(
                        CHECK, "datasource-unknown",
                        f"Grafana datasource {datasource.get('uid')!r} links to datasource uid "
                        f"{uid!r}, which Grafana does not provision", **_where(release, env)))
    sidecar = stack.dig(values, "sidecar", "dashboards") or {}
    label, value = sidecar.get("label", "grafana_dashboard"), str(sidecar.get("labelValue", "1"))
    searched = sidecar.get("searchNamespace") or stack.release_namespace(release)
    searched = set(searched.split(",")) if isinstance(searched, str) else set(searched)
    for obj, dashboards in boards:
        namespace = str((obj.data.get("metadata") or {}).get("namespace") or "")
        if not sidecar.get("enabled"):
            reason = "the Grafana dashboard sidecar is not enabled (sidecar.dashboards.enabled)"
        elif str(stack.labels_of(obj.data).get(label)) != value:
            reason = f"it lacks the sidecar's label {label}={value!r}"
        elif "ALL" not in searched and namespace not in searched:
            reason = f"namespace {namespace} is not one the sidecar searches ({sorted(searched)})"
        else:
            reason = ""
        if reason:
            found.append(finding(CHECK, "dashboard-not-provisioned",
                                 f"dashboards {[k for k, _ in dashboards]} are not provisioned "
                                 f"into the {env} Grafana: {reason}", **_where(obj, env)))
        for key, dashboard in dashboards:
            for problem in _datasource_problems(dashboard, datasources):
                found.append(finding(
                    CHECK, "datasource-unknown",
                    f"dashboard {key} names {problem}; the {env} Grafana provisions "
                    f"{sorted(datasources) or 'no datasource'}", **_where(obj, env)))
    return found


# --- 3. routing --------------------------------------------------------------------------------

def _alerts(judged: list[ManifestObject]):
    for obj in judged:
        if obj.data.get("kind") != "PrometheusRule" or not _is_monitoring(obj):
            continue
        for group in (obj.data.get("spec") or {}).get("groups") or []:
            for rule in (group or {}).get("rules") or [] if isinstance(group, dict) else []:
                if isinstance(rule, dict) and rule.get("alert"):
                    yield obj, rule


def _loaded_config(root: Path, values: dict) -> tuple[dict | None, str]:
    """The config the chart's Alertmanager loads, or None and why it is not the repo's."""
    alertmanager = values.get("alertmanager") if isinstance(values.get("alertmanager"), dict) \
        else {}
    spec = alertmanager.get("alertmanagerSpec") or {}
    if alertmanager.get("enabled") is False:
        return None, "alertmanager.enabled is false"
    if spec.get("useExistingSecret") or spec.get("configSecret"):
        return None, ("alertmanager.alertmanagerSpec loads another Secret (useExistingSecret / "
                      "configSecret), not the config generated from the repo")
    config = alertmanager.get("config")
    if not isinstance(config, dict):
        return None, "alertmanager.config is not set"
    try:
        expected = alertmanager_values(root)["alertmanager"]["config"]
    except (KeyError, TypeError, UsageError):
        expected = None  # the repo's config does not load: amtool and the yaml check say why
    if config != expected:
        return None, (f"alertmanager.config differs from {ALERTMANAGER_CONFIG.as_posix()}; run "
                      "`scripts/generate`")
    return config, ""


def _unmounted_secret_files(config: dict, spec: dict) -> list[str]:
    mounts = [str(m.get("mountPath", "")).rstrip("/") + "/"
              for m in spec.get("volumeMounts") or [] if isinstance(m, dict)]
    files: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key).endswith("_file") and isinstance(value, str):
                    files.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(config.get("receivers"))
    return sorted(f for f in files if not any(f.startswith(m) for m in mounts))


def _receivers(ctx: RunContext, config_file: Path, labels: dict[str, str]) -> list[str]:
    completed = ctx.toolbox.run("amtool", "config", "routes", "test",
                                f"--config.file={config_file}",
                                *(f"{k}={v}" for k, v in sorted(labels.items())),
                                timeout=60, subject=ALERTMANAGER_CONFIG.as_posix())
    return [r.strip() for line in completed.stdout.splitlines()
            if line.strip() and not line.startswith("WARNING") for r in line.split(",")]


def _routing(ctx: RunContext, env: str, everything: list[ManifestObject],
             judged: list[ManifestObject]) -> list:
    alerts = list(_alerts(judged))
    release = stack.delivered_release(everything, stack.PROMETHEUS_RELEASE)
    if release is None or not (alerts or _among(release, judged)):
        return []  # no Prometheus: the selection part says so
    values = stack.release_values(ctx.repo.root, release, stack.PROMETHEUS_RELEASE)
    config, why = _loaded_config(ctx.repo.root, values)
    if config is None:
        return [finding(CHECK, "alertmanager-config-not-loaded",
                        f"the {env} Alertmanager does not load the repo's configuration: {why}",
                        **_where(release, env))]
    found = []
    spec = stack.dig(values, "alertmanager", "alertmanagerSpec") or {}
    unmounted = _unmounted_secret_files(config, spec)
    if unmounted and _among(release, judged):
        found.append(finding(
            CHECK, "alertmanager-config-not-loaded",
            f"the {env} Alertmanager config reads {unmounted}, under no volumeMount of "
            "alertmanager.alertmanagerSpec", **_where(release, env)))
    # amtool resolves routes without the templates, which live where the chart mounts them.
    config_file = ctx.scratch(f"zero-config-{env}") / "alertmanager.yaml"
    config_file.write_text(dump({k: v for k, v in config.items() if k != "templates"}),
                           encoding="utf-8")
    resolved: dict[tuple[str, str], list[str]] = {}
    for obj, rule in alerts:
        labels = rule.get("labels") or {}
        team, severity = labels.get("team"), labels.get("severity")
        if not isinstance(team, str) or "{{" in team:
            continue  # a missing or templated team is the monitoring check's alert-label
        key = (team, str(severity or ""))
        if key not in resolved:
            resolved[key] = _receivers(ctx, config_file,
                                       {"team": team, **({"severity": key[1]} if key[1] else {})})
        receivers = resolved[key]
        if not any(r.startswith(f"{team}-") or r == SILENCED for r in receivers):
            found.append(finding(
                CHECK, "team-unrouted",
                f"alert {rule['alert']} (team {team}, severity {severity}) reaches "
                f"{receivers or 'no receiver'} in the config the {env} Alertmanager loads, none "
                f"of them team {team}'s; add a route matching team=\"{team}\" to "
                f"{ALERTMANAGER_CONFIG.as_posix()}", **_where(obj, env)))
    return found


# --- 4. tracing --------------------------------------------------------------------------------

def _endpoint(value: object) -> tuple[str, str, str] | None:
    """(service, namespace, port) of an in-cluster `host:port` endpoint."""
    text = str(value or "").split("://", 1)[-1].split("/", 1)[0]
    host, _, port = text.rpartition(":")
    parts = host.split(".")
    if len(parts) < 2 or not port:
        return None
    return parts[0], parts[1], port


def _deployed_endpoints(root: Path, env: str, everything: list[ManifestObject]) -> set:
    if not catalog_controllers.present(root):
        return set()
    found = set()
    for controller in catalog_controllers.load(root).controllers:
        release = stack.delivered_release(everything, controller.name)
        if release is None:
            continue
        for endpoint in controller.endpoints:
            service, _, port = endpoint.partition(":")
            name, _, namespace = service.partition(".")
            if namespace == stack.release_namespace(release):
                found.add((name, namespace, port))
    return found


def _tracing(root: Path, env: str, everything: list[ManifestObject],
             judged: list[ManifestObject]) -> list:
    collectors = [o for o in judged if o.data.get("kind") == "OpenTelemetryCollector"]
    if not collectors:
        return []
    deployed = _deployed_endpoints(root, env, everything)
    found = []
    for obj in collectors:
        config = (obj.data.get("spec") or {}).get("config") or {}
        exporters = config.get("exporters") or {} if isinstance(config, dict) else {}
        pipelines = (config.get("service") or {}).get("pipelines") or {} \
            if isinstance(config, dict) else {}
        for pipeline, body in pipelines.items():
            if not str(pipeline).split("/")[0] == "traces" or not isinstance(body, dict):
                continue
            for name in body.get("exporters") or []:
                exporter = exporters.get(name) if isinstance(exporters, dict) else None
                if not isinstance(exporter, dict) or "endpoint" not in exporter:
                    continue  # debug and file exporters send nowhere in the cluster
                target = _endpoint(exporter["endpoint"])
                if target not in deployed:
                    found.append(finding(
                        CHECK, "trace-backend-missing",
                        f"exporter {name} of pipeline {pipeline} sends traces to "
                        f"{exporter['endpoint']}, which no backend {env} deploys offers "
                        f"(deployed endpoints: "
                        f"{sorted(f'{s}.{n}:{p}' for s, n, p in deployed) or 'none'})",
                        **_where(obj, env)))
    return found


def _judged_count(judged: list[ManifestObject]) -> int:
    """The objects the four parts look at: monitors and rules, dashboards, collectors, and the
    releases of Prometheus and Grafana."""
    releases = {stack.PROMETHEUS_RELEASE, stack.GRAFANA_RELEASE}
    return sum(1 for o in judged
               if (_is_monitoring(o) and o.data.get("kind") in MONITOR_KINDS)
               or (o.data.get("kind") == "ConfigMap" and _dashboards(o))
               or o.data.get("kind") == "OpenTelemetryCollector"
               or (o.data.get("kind") in ("HelmRelease", "Application")
                   and any(stack.delivered_release([o], r) for r in releases)))


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    judged = batch.objects
    checked = _judged_count(judged)
    if not checked:
        return []
    result = CheckResult(CHECK, env=batch.env)
    everything = [*batch.objects, *batch.staged.context]
    root = ctx.repo.root
    result.findings += _selection(root, batch.env, everything, judged)
    result.findings += _grafana(root, batch.env, everything, judged)
    result.findings += _routing(ctx, batch.env, everything, judged)
    result.findings += _tracing(root, batch.env, everything, judged)
    result.stats.checked = checked
    return [result]
