"""Observability as code: checks and generators for monitoring/.

Every check is a pure function returning `list[Finding]`, where a finding is the tuple
`(file, line_or_None, rule_id, message)` with `file` relative to the repository root. The
validation engine wraps these tuples into its own findings. External tools (promtool, amtool,
sloth) are always passed in as paths; nothing here knows where they are installed.

Modules, one concern each:
- findings:      the Finding tuple and helpers to locate lines in a file
- layout:        where things live under monitoring/ and docs/runbooks/
- rulefiles:     loading Prometheus rule files (alerts, recording rules, their lines)
- slo_specs:     SLO spec loading, schema validation and catalog coverage
- slo:           regenerating monitoring/rules/generated/ with sloth, and staleness
- alert_rules:   every alert carries severity/team/service labels and summary/runbook_url
- runbooks:      every runbook_url resolves to an existing docs/runbooks/ file
- promql:        metric names referenced by a PromQL expression; parsing via promtool
- known_metrics: the metrics that exist (known-metrics.yaml + recording rules)
- dashboards:    Grafana dashboards: JSON, uid, datasource variable, PromQL, metric names
- alertmanager:  amtool route tests built from route-tests.yaml
"""
