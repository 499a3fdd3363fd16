package k8s.rbac_escalation_test

import data.k8s.rbac_escalation
import rego.v1

role(kind, verbs) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "applier"}, "rules": [
	{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]},
	{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles", "clusterrolebindings"], "verbs": verbs},
]}

rules(obj) := {r.rule | some r in rbac_escalation.deny with input as obj with data.marty as {"env": {"name": "dev"}}}

test_bind_denied if "rbac.no-escalation-verbs" in rules(role("ClusterRole", ["get", "create", "bind"]))

test_escalate_denied if "rbac.no-escalation-verbs" in rules(role("Role", ["update", "escalate"]))

test_impersonate_denied if {
	obj := json.patch(role("ClusterRole", ["get"]), [{"op": "replace", "path": "/rules/0", "value": {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}}])
	"rbac.no-escalation-verbs" in rules(obj)
}

test_message_names_the_rule_and_verbs if {
	some finding in rbac_escalation.deny with input as role("ClusterRole", ["bind", "escalate"]) with data.marty as {"env": {"name": "dev"}}
	contains(finding.msg, "rules[1]")
	contains(finding.msg, `["bind", "escalate"]`)
}

test_managing_rbac_without_escalation_allowed if {
	count(rules(role("ClusterRole", ["get", "list", "watch", "create", "update", "patch", "delete"]))) == 0
}

test_non_rbac_object_ignored if {
	count(rules({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "rules": [{"verbs": ["bind"]}]})) == 0
}
