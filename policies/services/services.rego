# Only the ingress namespace may expose Services outside the cluster.
package k8s.services

import data.lib.k8s
import rego.v1

ingress_namespaces := n if {
	n := data.marty.ingress_namespaces
} else := ["istio-ingress"]

deny contains {"rule": "services.no-external-exposure", "msg": msg} if {
	input.kind == "Service"
	t := input.spec.type
	t in {"LoadBalancer", "NodePort"}
	not k8s.namespace(input) in ingress_namespaces
	msg := sprintf("%s: type %s exposes the Service outside the cluster; use type ClusterIP and route traffic through the ingress gateway (allowed in: %s)", [k8s.id(input), t, concat(", ", ingress_namespaces)])
}
