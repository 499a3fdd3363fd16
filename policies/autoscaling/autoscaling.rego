# Autoscaling floors in prod.
package k8s.autoscaling

import data.lib.k8s
import rego.v1

deny contains {"rule": "autoscaling.hpa-min-replicas", "msg": msg} if {
	k8s.is_prod
	input.kind == "HorizontalPodAutoscaler"
	m := object.get(input.spec, "minReplicas", 1)
	m < 2
	msg := sprintf("%s: minReplicas is %v in prod; set spec.minReplicas to at least 2 so one pod can be disrupted without downtime", [k8s.id(input), m])
}
