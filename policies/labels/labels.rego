# Recommended app.kubernetes.io labels and an owning team on every workload.
package k8s.labels

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

recommended := l if {
	l := data.marty.recommended_labels
} else := ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/version", "app.kubernetes.io/managed-by"]

team_label := l if {
	l := data.marty.team_label
} else := "marty.dev/team"

labels := object.get(input, ["metadata", "labels"], {})

is_workload if k8s.has_pod_spec(input)

deny contains {"rule": "labels.recommended", "msg": msg} if {
	is_workload
	missing := [l | some l in recommended; not non_empty(labels, l)]
	count(missing) > 0
	msg := sprintf("%s: missing label(s) %s; add them to metadata.labels (e.g. via kustomize labels/commonLabels)", [rid, concat(", ", missing)])
}

deny contains {"rule": "labels.team", "msg": msg} if {
	is_workload
	not non_empty(labels, team_label)
	msg := sprintf("%s: missing owner label %s; add metadata.labels[%q] naming the owning team", [rid, team_label, team_label])
}

non_empty(obj, key) if {
	v := obj[key]
	is_string(v)
	v != ""
}
