package k8s.rbac_test

import data.k8s.rbac
import rego.v1

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "app"}, "rules": rules}

binding(kind, role_name) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b", "namespace": "app"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name}, "subjects": [{"kind": "ServiceAccount", "name": "x", "namespace": "app"}]}

rules(obj) := {r.rule | some r in rbac.deny with input as obj with data.marty as {"env": {"name": "dev"}}}

test_wildcard_verbs_denied if "rbac.no-wildcard-verbs" in rules(role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]))

test_explicit_verbs_allowed if not "rbac.no-wildcard-verbs" in rules(role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]))

test_wildcard_resources_denied if {
	"rbac.no-wildcard-resources" in rules(role([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]))
	"rbac.no-wildcard-resources" in rules(role([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]))
}

test_explicit_resources_allowed if not "rbac.no-wildcard-resources" in rules(role([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]))

test_cluster_admin_binding_denied if {
	"rbac.no-cluster-admin-binding" in rules(binding("ClusterRoleBinding", "cluster-admin"))
	"rbac.no-cluster-admin-binding" in rules(binding("RoleBinding", "cluster-admin"))
}

test_other_binding_allowed if not "rbac.no-cluster-admin-binding" in rules(binding("RoleBinding", "view"))
