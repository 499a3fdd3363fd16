# Readiness and liveness probes on long-running workloads (not Jobs/CronJobs).
package k8s.probes

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

long_running_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Rollout"}

long_running if input.kind in long_running_kinds

# A bare Pod is long-running unless it is meant to run to completion.
long_running if {
	input.kind == "Pod"
	not input.spec.restartPolicy in {"Never", "OnFailure"}
}

# main containers plus native sidecars (init containers with restartPolicy: Always)
serving_containers contains x if {
	long_running
	some x in k8s.app_containers(k8s.pod_spec(input))
	x.field == "containers"
}

serving_containers contains x if {
	long_running
	some x in k8s.app_containers(k8s.pod_spec(input))
	x.field == "initContainers"
	x.c.restartPolicy == "Always"
}

deny contains {"rule": "probes.readiness-required", "msg": msg} if {
	some x in serving_containers
	not x.c.readinessProbe
	msg := sprintf("%s: %s[%d] %q has no readinessProbe; add one so traffic only reaches ready pods", [rid, x.field, x.index, x.name])
}

deny contains {"rule": "probes.liveness-required", "msg": msg} if {
	some x in serving_containers
	not x.c.livenessProbe
	msg := sprintf("%s: %s[%d] %q has no livenessProbe; add one so a hung container is restarted", [rid, x.field, x.index, x.name])
}
