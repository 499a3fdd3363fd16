# Every namespace that runs workloads has a default-deny ingress NetworkPolicy.
# Combined: run with `conftest --combine` over all rendered objects of an environment.
package k8s_combined.network_policy

import data.lib.k8s
import rego.v1

objects := k8s.combined_objects(input)

workload_paths[ns] contains e.path if {
	some e in objects
	k8s.has_pod_spec(e.obj)
	ns := k8s.namespace(e.obj)
}

# podSelector {} + policyTypes includes Ingress + no ingress rules
default_deny(np) if {
	np.kind == "NetworkPolicy"
	k8s.selector_is_empty(object.get(np.spec, "podSelector", {}))
	"Ingress" in object.get(np.spec, "policyTypes", ["Ingress"])
	count(object.get(np.spec, "ingress", [])) == 0
}

protected contains k8s.namespace(e.obj) if {
	some e in objects
	default_deny(e.obj)
}

deny contains {"rule": "networkpolicy.default-deny", "msg": msg, "path": path} if {
	some ns, paths in workload_paths
	not ns in protected
	path := min(paths)
	msg := sprintf("namespace %s runs workloads but has no default-deny NetworkPolicy; add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] (no ingress rules), then allow traffic explicitly", [ns])
}
