package k8s.labels_test

import data.k8s.labels
import rego.v1

all_labels := {
	"app.kubernetes.io/name": "web",
	"app.kubernetes.io/part-of": "shop",
	"app.kubernetes.io/version": "1.0.0",
	"app.kubernetes.io/managed-by": "kustomize",
	"marty.dev/team": "payments",
}

dep(l) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "app", "labels": l}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

rules(obj) := {r.rule | some r in labels.deny with input as obj with data.marty as {"env": {"name": "dev"}}}

test_recommended_missing_denied if "labels.recommended" in rules(dep(object.remove(all_labels, ["app.kubernetes.io/version"])))

test_recommended_present_allowed if not "labels.recommended" in rules(dep(all_labels))

test_team_missing_denied if "labels.team" in rules(dep(object.remove(all_labels, ["marty.dev/team"])))

test_team_empty_denied if "labels.team" in rules(dep(object.union(all_labels, {"marty.dev/team": ""})))

test_team_present_allowed if not "labels.team" in rules(dep(all_labels))

test_non_workload_ignored if count(rules({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}})) == 0

test_data_overrides_team_label if {
	r := {x.rule | some x in labels.deny with input as dep(all_labels) with data.marty as {"team_label": "owner"}}
	"labels.team" in r
}
