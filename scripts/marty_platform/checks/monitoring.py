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
from marty_platform.tools.runner import run


def _rule_files(ctx: RunContext) -> list:
    root = ctx.repo.root / "monitoring" / "rules"
    return sorted(root.rglob("*.yaml")) if root.is_dir() else []


def _rules(ctx: RunContext) -> CheckResult:
    result = CheckResult("promtool")
    files = _rule_files(ctx)
    if not files:
        return result
    for path in files:
        completed = run(ctx.toolbox.command("promtool", "check", "rules", "--lint=all",
                                            "--lint-fatal", str(path), ok_codes=(0, 1)))
        result.stats.checked += 1
        if completed.returncode:
            detail = (completed.stderr or completed.stdout).strip().replace(
                str(ctx.repo.root) + "/", "")
            result.findings.append(finding("promtool", "check-rules", detail[:1500],
                                           file=ctx.repo.rel(path)))
    return result


def _rule_tests(ctx: RunContext) -> CheckResult:
    result = CheckResult("promtool-test")
    root = ctx.repo.root / "monitoring" / "tests"
    tests = sorted(root.glob("*.yaml")) if root.is_dir() else []
    for path in tests:
        completed = run(ctx.toolbox.command("promtool", "test", "rules", path.name, cwd=root,
                                            ok_codes=(0, 1)))
        result.stats.checked += 1
        if completed.returncode:
            detail = (completed.stderr + completed.stdout).strip()
            result.findings.append(finding("promtool-test", "unit-test", detail[:1500],
                                           file=ctx.repo.rel(path)))
    return result


def _alertmanager(ctx: RunContext) -> CheckResult:
    result = CheckResult("amtool")
    config = ctx.repo.root / "monitoring" / "alertmanager" / "alertmanager.yaml"
    if not config.is_file():
        return result
    completed = run(ctx.toolbox.command("amtool", "check-config", str(config), ok_codes=(0, 1)))
    result.stats.checked = 1
    if completed.returncode:
        result.findings.append(finding("amtool", "check-config",
                                       (completed.stderr or completed.stdout).strip()[:1500],
                                       file=ctx.repo.rel(config)))
    return result


def _conventions(ctx: RunContext) -> CheckResult:
    """SLO specs and coverage, alert labels, rule tests, runbooks, dashboards, the metrics
    every rule and SLO query reads, route tests."""
    result = CheckResult("monitoring")
    root = ctx.repo.root
    if not (root / "monitoring").is_dir():
        return result
    promtool, amtool = ctx.toolbox.path("promtool"), ctx.toolbox.path("amtool")
    for findings in (slo_specs.check_specs(root), alert_rules.check_alert_rules(root),
                     rule_tests.check_alerts_tested(root), runbooks.check_runbooks(root),
                     runbooks.check_runbook_sections(root),
                     dashboards.check_dashboards(root, promtool),
                     metric_references.check_repo_references(root, known_metrics(root), promtool),
                     alertmanager.check_routes(root, amtool)):
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
                                                    ctx.repo.root, ctx.toolbox.path("promtool"))
    result.stats.checked = len(chosen)
    return [result]
