package k8s.deprecated_apis_test

import data.k8s.deprecated_apis
import rego.v1

table := [
	{"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "removedIn": "1.25", "replacement": "policy/v1"},
	{"apiVersion": "example.io/v1beta1", "kind": "*", "removedIn": "1.34", "replacement": "example.io/v1"},
]

marty(version) := {"env": {"name": "dev", "kubernetesVersion": version}, "removed_apis": table}

obj(api, kind) := {"apiVersion": api, "kind": kind, "metadata": {"name": "x", "namespace": "app"}}

denies(o, v) := {r.rule | some r in deprecated_apis.deny with input as o with data.marty as marty(v)}

warns(o, v) := {r.rule | some r in deprecated_apis.warn with input as o with data.marty as marty(v)}

test_removed_denied if "apis.removed" in denies(obj("policy/v1beta1", "PodDisruptionBudget"), "1.33")

test_removed_message_names_replacement if {
	some r in deprecated_apis.deny with input as obj("policy/v1beta1", "PodDisruptionBudget") with data.marty as marty("1.33")
	contains(r.msg, "migrate to policy/v1")
}

test_current_api_allowed if count(denies(obj("policy/v1", "PodDisruptionBudget"), "1.33")) == 0

test_not_yet_removed_allowed if count(denies(obj("policy/v1beta1", "PodDisruptionBudget"), "1.24")) == 0

test_next_minor_warned if "apis.removed-next-minor" in warns(obj("example.io/v1beta1", "Widget"), "1.33")

test_next_minor_not_denied if count(denies(obj("example.io/v1beta1", "Widget"), "1.33")) == 0

test_two_minors_ahead_not_warned if count(warns(obj("example.io/v1beta1", "Widget"), "1.32")) == 0

test_already_removed_not_warned if count(warns(obj("policy/v1beta1", "PodDisruptionBudget"), "1.33")) == 0
