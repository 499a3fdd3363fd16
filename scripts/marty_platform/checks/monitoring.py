"""monitoring/: promtool (rule syntax, rule unit tests), amtool (config, routing table), and the
observability conventions: SLO coverage, alert labels, runbooks, dashboards, known metrics.
`check_rendered` is a manifest check: the same conventions on each env's rendered
PrometheusRules and AnalysisTemplates (the chart's alerts and canary analysis)."""
from __future__ import annotations

from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, finding
from marty_platform.monitoring import (
    alert_rules,
    alertmanager,
    dashboards,
    metric_references,
    rendered_rules,
    rule_tests,
    runbooks,
    slo_specs,
)
from marty_platform.monitoring.known_metrics import known_metrics
from marty_platform.monitoring.layout import ALERTMANAGER_CONFIG
from marty_platform.rules import Rule, declare
from marty_platform.yamlio import RULES as YAML_RULES
from marty_platform.repo import inside

RULES = declare(
    "monitoring", "Observability conventions: SLO coverage, alert labels, rule tests, runbooks, "
    "dashboards, known metrics (in monitoring/ and in rendered PrometheusRules).",
    *YAML_RULES,
    Rule("slo-yaml", "an SLO spec is not one YAML document"),
    Rule("slo-schema", "an SLO spec breaks its schema"),
    Rule("slo-file-name", "an SLO spec is not named after its service"),
    Rule("slo-unknown-service", "an SLO spec names a service the catalog does not have"),
    Rule("slo-missing", "a catalog service has no SLO spec"),
    Rule("slo-sloth", "Sloth rejects an SLO spec"),
    Rule("slo-stale", "generated SLO rules without a spec"),
    Rule("rule-file", "a rule file does not load"),
    Rule("rule-name-scheme", "an alert or record name is not a legacy Prometheus name"),
    Rule("alert-label", "an alert lacks a required label"),
    Rule("alert-severity", "an alert's severity is not a known one"),
    Rule("alert-annotation", "an alert lacks a required annotation"),
    Rule("alert-untested", "an alert no promtool unit test expects to fire"),
    Rule("runbook-url", "an alert's runbook_url is not a runbook of this repo"),
    Rule("runbook-missing", "an alert's runbook does not exist"),
    Rule("runbook-name", "a runbook is not named after its alert"),
    Rule("runbook-section", "a runbook lacks a required section"),
    Rule("dashboard-json", "a dashboard is not a JSON object"),
    Rule("dashboard-uid", "a dashboard has no uid, or one another dashboard uses"),
    Rule("dashboard-datasource", "a dashboard has no datasource template variable"),
    Rule("route-table", "the Alertmanager route test table is missing or malformed"),
    Rule("route-test", "an alert is not routed to the receiver its test case expects"),
    Rule("route-untested", "a receiver no route test case expects"),
    Rule("amtool-check-config", "amtool check-config rejects the Alertmanager config (reported "
         "as amtool/check-config)"),
    Rule("rule-promql", "a rule file: an expression promtool cannot parse"),
    Rule("rule-unknown-metric", "a rule file: a query reads a metric no exporter or recording rule "
         "produces"),
    Rule("slo-promql", "an SLO spec: an expression promtool cannot parse"),
    Rule("slo-unknown-metric", "an SLO spec: a query reads a metric no exporter or recording rule "
         "produces"),
    Rule("dashboard-promql", "a dashboard: an expression promtool cannot parse"),
    Rule("dashboard-unknown-metric", "a dashboard: a query reads a metric no exporter or recording rule "
         "produces"),
    Rule("rendered-promql", "a rendered PrometheusRule or AnalysisTemplate: an expression "
         "promtool cannot parse"),
    Rule("rendered-unknown-metric", "a rendered PrometheusRule or AnalysisTemplate: a query "
         "reads a metric no exporter or recording rule produces"),
    module=__name__)
PROMTOOL_RULES = declare(
    "promtool", "Prometheus rule files (`promtool check rules`).",
    Rule("check-rules", "promtool rejects a rule file"),
    module=__name__)
PROMTOOL_TEST_RULES = declare(
    "promtool-test", "Prometheus rule unit tests (`promtool test rules`).",
    Rule("unit-test", "a rule unit test fails"),
    module=__name__)
AMTOOL_RULES = declare(
    "amtool", "The Alertmanager config (`amtool check-config`).",
    Rule("check-config", "amtool rejects the config"),
    module=__name__)


def _rule_files(ctx: RunContext) -> list:
    root = ctx.repo.root / "monitoring" / "rules"
    return inside(ctx.repo.root, root.rglob("*.yaml")) if root.is_dir() else []


def _rules(ctx: RunContext) -> CheckResult:
    result = CheckResult("promtool")
    for path in _rule_files(ctx):
        # exit 1: the file is rejected; exit 3: --lint-fatal found a lint problem
        completed = ctx.toolbox.run("promtool", "check", "rules", "--lint=all", "--lint-fatal",
                                    str(path), problem_codes=(1, 3), subject=ctx.repo.rel(path))
        result.stats.checked += 1
        detail = completed.rejection("FAILED")
        if detail:
            result.findings.append(finding("promtool", "check-rules", detail,
                                           file=ctx.repo.rel(path)))
    return result


def _rule_tests(ctx: RunContext) -> CheckResult:
    result = CheckResult("promtool-test")
    root = ctx.repo.root / "monitoring" / "tests"
    tests = inside(ctx.repo.root, root.glob("*.yaml")) if root.is_dir() else []
    for path in tests:
        completed = ctx.toolbox.run("promtool", "test", "rules", path.name, cwd=root,
                                    problem_codes=(1,), subject=ctx.repo.rel(path))
        result.stats.checked += 1
        detail = completed.rejection("FAILED")
        if detail:
            result.findings.append(finding("promtool-test", "unit-test", detail,
                                           file=ctx.repo.rel(path)))
    return result


def _alertmanager(ctx: RunContext) -> CheckResult:
    """amtool check-config, then the routing table, which is only meaningful for a config amtool
    accepts."""
    result = CheckResult("amtool")
    root = ctx.repo.root
    if not (root / ALERTMANAGER_CONFIG).is_file():
        return result
    result.stats.checked = 1
    config_findings = alertmanager.check_config(root, ctx.toolbox)
    result.findings += [finding("amtool", "check-config", f.message, file=f.file)
                        for f in config_findings]
    if not config_findings:
        result.stats.checked += 1
        result.findings += alertmanager.check_routes(root, ctx.toolbox)
    return result


def _conventions(ctx: RunContext) -> CheckResult:
    """SLO specs and coverage, alert labels, rule tests, runbooks, dashboards, the metrics
    every rule and SLO query reads, route tests."""
    result = CheckResult("monitoring")
    root = ctx.repo.root
    if not (root / "monitoring").is_dir():
        return result
    for findings in (slo_specs.check_specs(root), alert_rules.check_alert_rules(root),
                     rule_tests.check_alerts_tested(root), runbooks.check_runbooks(root),
                     runbooks.check_runbook_sections(root),
                     dashboards.check_dashboards(root, ctx.toolbox),
                     metric_references.check_repo_references(root, known_metrics(root),
                                                             ctx.toolbox)):
        result.stats.checked += 1
        result.findings += findings
    return result


def check(ctx: RunContext) -> list[CheckResult]:
    return [_rules(ctx), _rule_tests(ctx), _alertmanager(ctx), _conventions(ctx)]


def check_rendered(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    """The env's rendered PrometheusRules and AnalysisTemplates (a chart's alerts and canary
    analysis): alert conventions, runbooks and known metrics."""
    chosen = rendered_rules.judged(batch.objects)
    if not chosen:
        return []
    result = CheckResult("monitoring", env=batch.env)
    result.findings = rendered_rules.check_rendered(batch.objects, batch.staged.context,
                                                    ctx.repo.root, ctx.toolbox)
    result.stats.checked = len(chosen)
    return [result]
