# CPU and memory requests and limits on every container.
package k8s.resources

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

missing(x, section) := [r |
	some r in ["cpu", "memory"]
	not x.c.resources[section][r]
]

deny contains {"rule": "resources.requests-required", "msg": msg} if {
	some x in k8s.app_containers(k8s.pod_spec(input))
	m := missing(x, "requests")
	count(m) > 0
	msg := sprintf("%s: %s[%d] %q has no resources.requests for %s; set resources.requests.cpu and resources.requests.memory", [rid, x.field, x.index, x.name, concat(", ", m)])
}

deny contains {"rule": "resources.limits-required", "msg": msg} if {
	some x in k8s.app_containers(k8s.pod_spec(input))
	m := missing(x, "limits")
	count(m) > 0
	msg := sprintf("%s: %s[%d] %q has no resources.limits for %s; set resources.limits.cpu and resources.limits.memory", [rid, x.field, x.index, x.name, concat(", ", m)])
}
