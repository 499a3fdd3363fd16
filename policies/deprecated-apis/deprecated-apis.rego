# API versions removed in the environment's Kubernetes version (error) or in the next minor
# release (warning). Table: policies/data/removed_apis.yaml (marty.removed_apis).
package k8s.deprecated_apis

import data.lib.k8s
import rego.v1

minor(v) := m if {
	parts := split(trim_prefix(sprintf("%v", [v]), "v"), ".")
	count(parts) >= 2
	m := to_number(parts[1])
}

major(v) := m if {
	parts := split(trim_prefix(sprintf("%v", [v]), "v"), ".")
	m := to_number(parts[0])
}

cluster_version := data.marty.env.kubernetesVersion

table := t if {
	t := data.marty.removed_apis
} else := []

matches contains e if {
	some e in table
	e.apiVersion == input.apiVersion
	e.kind in {"*", input.kind}
}

deny contains {"rule": "apis.removed", "msg": msg} if {
	some e in matches
	major(e.removedIn) == major(cluster_version)
	minor(e.removedIn) <= minor(cluster_version)
	msg := sprintf("%s: %s %s was removed in Kubernetes %s (this environment runs %s); migrate to %s", [k8s.id(input), input.apiVersion, input.kind, e.removedIn, cluster_version, e.replacement])
}

warn contains {"rule": "apis.removed-next-minor", "msg": msg} if {
	some e in matches
	major(e.removedIn) == major(cluster_version)
	minor(e.removedIn) == minor(cluster_version) + 1
	msg := sprintf("%s: %s %s is removed in Kubernetes %s, the next minor after this environment's %s; migrate to %s before upgrading", [k8s.id(input), input.apiVersion, input.kind, e.removedIn, cluster_version, e.replacement])
}
