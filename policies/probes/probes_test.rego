package k8s.probes_test

import data.k8s.probes
import rego.v1

probe := {"httpGet": {"path": "/healthz", "port": 8080}}

workload(kind, c) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [c]}}}}

rules(obj) := {r.rule | some r in probes.deny with input as obj with data.marty as {"env": {"name": "dev"}}}

test_readiness_missing_denied if "probes.readiness-required" in rules(workload("Deployment", {"name": "c", "livenessProbe": probe}))

test_readiness_present_allowed if not "probes.readiness-required" in rules(workload("StatefulSet", {"name": "c", "readinessProbe": probe, "livenessProbe": probe}))

test_liveness_missing_denied if "probes.liveness-required" in rules(workload("DaemonSet", {"name": "c", "readinessProbe": probe}))

test_liveness_present_allowed if not "probes.liveness-required" in rules(workload("Rollout", {"name": "c", "readinessProbe": probe, "livenessProbe": probe}))

test_jobs_exempt if {
	count(rules(workload("Job", {"name": "c"}))) == 0
	cj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}}}
	count(rules(cj)) == 0
}

test_completing_pod_exempt if {
	p := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"restartPolicy": "Never", "containers": [{"name": "c"}]}}
	count(rules(p)) == 0
}

test_native_sidecar_checked if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}, "spec": {"template": {"spec": {
		"initContainers": [{"name": "proxy", "restartPolicy": "Always"}, {"name": "migrate"}],
		"containers": [{"name": "c", "readinessProbe": probe, "livenessProbe": probe}],
	}}}}
	r := [x | some x in probes.deny with input as d with data.marty as {}; contains(x.msg, "proxy")]
	count(r) == 2
	not any_mentions(d, "migrate")
}

any_mentions(d, s) if {
	some x in probes.deny with input as d with data.marty as {}
	contains(x.msg, s)
}
