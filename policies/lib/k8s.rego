# Shared helpers for the Kubernetes policies. Not a policy: it has no metadata.yaml and
# emits no findings. Functions take the object explicitly so that combined
# (cross-object) policies can reuse them on `input[_].contents`.
package lib.k8s

import rego.v1

workload_kinds := {
	"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
	"ReplicationController", "Job", "Rollout",
}

# pod_template(obj) is the PodTemplateSpec-like object ({metadata, spec}) of obj.
# A bare Pod is its own template.
pod_template(obj) := obj if {
	obj.kind == "Pod"
	is_object(obj.spec)
}

pod_template(obj) := obj.spec.template if {
	obj.kind in workload_kinds
	is_object(obj.spec.template.spec)
}

pod_template(obj) := obj.spec.jobTemplate.spec.template if {
	obj.kind == "CronJob"
	is_object(obj.spec.jobTemplate.spec.template.spec)
}

pod_spec(obj) := pod_template(obj).spec

# JSON pointer of the pod spec inside obj, for a finding's `field` (located by the validator).
pod_spec_pointer(obj) := "/spec" if obj.kind == "Pod"

pod_spec_pointer(obj) := "/spec/template/spec" if obj.kind in workload_kinds

pod_spec_pointer(obj) := "/spec/jobTemplate/spec/template/spec" if obj.kind == "CronJob"

# JSON pointer of `field` ("securityContext/privileged") of container x (from containers()).
container_pointer(obj, x, field) := sprintf("%s/%s/%d/%s", [pod_spec_pointer(obj), x.field, x.index, field])

has_pod_spec(obj) if pod_spec(obj)

# Annotations that apply to the pod (template metadata for controllers).
pod_annotations(obj) := object.get(pod_template(obj), ["metadata", "annotations"], {})

pod_labels(obj) := object.get(pod_template(obj), ["metadata", "labels"], {})

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# Every container of a pod spec, with the JSON path of its field for messages.
containers(spec) := [{"field": f, "index": i, "name": object.get(c, "name", ""), "c": c} |
	some f in container_fields
	some i, c in object.get(spec, f, [])
]

# Regular and init containers only (ephemeral containers can't set resources/probes).
app_containers(spec) := [x | some x in containers(spec); x.field != "ephemeralContainers"]

name(obj) := object.get(obj, ["metadata", "name"], "<unnamed>")

namespace(obj) := ns if {
	ns := obj.metadata.namespace
	ns != ""
} else := "default"

# Human-readable id used at the start of every message: "Deployment shop/web".
id(obj) := sprintf("%s %s/%s", [object.get(obj, "kind", "<kind>"), namespace(obj), name(obj)]) if {
	not cluster_scoped(obj)
}

id(obj) := sprintf("%s %s", [object.get(obj, "kind", "<kind>"), name(obj)]) if cluster_scoped(obj)

# Cluster-scoped kinds, as {"kind", "group"}: the one list, base/openapi/cluster-scoped-kinds.json,
# which the validator passes as data.marty.clusterScopedKinds (kustomize and scripts/drift read the
# same file). Without it, every object is taken as namespaced.
cluster_scoped_kinds := kinds if {
	kinds := data.marty.clusterScopedKinds
} else := []

cluster_scoped(obj) if {
	some scoped in cluster_scoped_kinds
	scoped.kind == obj.kind
	scoped.group == api_group(obj)
}

env_name := n if {
	n := data.marty.env.name
} else := ""

# A production env (tier: production in its env.yaml), whatever its name.
is_prod if data.marty.env.tier == "production"

api_group(obj) := g if {
	parts := split(obj.apiVersion, "/")
	count(parts) == 2
	g := parts[0]
} else := ""

# Objects of a combined (--combine) input: [{path, contents}] -> [{path, obj}].
combined_objects(inp) := [{"path": e.path, "obj": e.contents} |
	is_array(inp)
	some e in inp
	is_object(e.contents)
]

# label selector matching (metav1.LabelSelector semantics)
selector_matches(selector, labels) if {
	is_object(selector)
	every k, v in object.get(selector, "matchLabels", {}) {
		labels[k] == v
	}
	every expr in object.get(selector, "matchExpressions", []) {
		expression_matches(expr, labels)
	}
}

expression_matches(expr, labels) if {
	expr.operator == "In"
	labels[expr.key] in expr.values
}

expression_matches(expr, labels) if {
	expr.operator == "NotIn"
	not labels[expr.key] in expr.values
}

expression_matches(expr, labels) if {
	expr.operator == "Exists"
	_ = labels[expr.key]
}

expression_matches(expr, labels) if {
	expr.operator == "DoesNotExist"
	not has_key(labels, expr.key)
}

has_key(obj, k) if _ = obj[k]

# An empty selector ({} or absent fields) selects everything.
selector_is_empty(selector) if {
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
}
