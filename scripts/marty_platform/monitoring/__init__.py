"""Observability as code: checks and generators for monitoring/.

Every check is a pure function returning `list[Finding]` (the engine's finding type, check
"monitoring", with `file` relative to the repository root). External tools (promtool, amtool,
sloth) run through the ToolBox passed in (tools/runner.py); nothing here knows where they are
installed, and a tool that fails is a ToolFailed, never a finding.

Modules, one concern each:
- findings:      building monitoring findings and locating lines in a file
- layout:        where things live under monitoring/ and docs/runbooks/
- rulefiles:     loading Prometheus rule files (alerts, recording rules, their lines)
- slo_specs:     SLO spec loading, schema validation and catalog coverage
- slo:           regenerating monitoring/rules/generated/ with sloth, and staleness
- alert_rules:   every alert carries severity/team/service labels and summary/runbook_url;
                 label and annotation names follow the legacy name scheme
- rule_tests:    every alert has a promtool unit test that expects it to fire
- runbooks:      every runbook_url resolves to an existing docs/runbooks/ file
- promql:        metric names referenced by a PromQL expression; parsing via promtool
- known_metrics: the metrics that exist (known-metrics.yaml + recording rules)
- dashboards:    Grafana dashboards: JSON, uid, datasource variable, PromQL, metric names
- alertmanager:  amtool route tests built from route-tests.yaml
- slo_report:    remaining error budget per SLO from Prometheus query results (slo-report)
"""
