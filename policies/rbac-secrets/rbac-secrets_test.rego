package k8s_combined.rbac_secrets_test

import data.k8s_combined.rbac_secrets
import rego.v1

marty := {"env": {"name": "dev"}, "secret_access_allowlist": [{"namespace": "external-secrets", "name": "external-secrets"}]}

role(kind, res) := {"path": "rbac/role.yaml", "contents": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "reader", "namespace": "app"}, "rules": [{"apiGroups": [""], "resources": res, "verbs": ["get"]}]}}

binding(kind, role_kind, subject) := {"path": "rbac/binding.yaml", "contents": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b", "namespace": "app"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": "reader"}, "subjects": [subject]}}

sa(ns, name) := {"kind": "ServiceAccount", "name": name, "namespace": ns}

findings(inp) := f if {
	f := rbac_secrets.deny with input as inp with data.marty as marty
}

test_unlisted_sa_denied if {
	some f in findings([role("Role", ["secrets"]), binding("RoleBinding", "Role", sa("app", "web"))])
	f.rule == "rbac.secrets-access"
	f.path == "rbac/binding.yaml"
}

test_cluster_role_denied if count(findings([role("ClusterRole", ["secrets", "configmaps"]), binding("ClusterRoleBinding", "ClusterRole", {"kind": "Group", "name": "devs"})])) == 1

test_allowlisted_sa_allowed if count(findings([role("ClusterRole", ["secrets"]), binding("ClusterRoleBinding", "ClusterRole", sa("external-secrets", "external-secrets"))])) == 0

test_role_without_secrets_allowed if count(findings([role("Role", ["configmaps"]), binding("RoleBinding", "Role", sa("app", "web"))])) == 0

test_subject_namespace_defaults_to_binding if {
	m := {"secret_access_allowlist": [{"namespace": "app", "name": "web"}]}
	f := rbac_secrets.deny with input as [role("Role", ["secrets"]), binding("RoleBinding", "Role", {"kind": "ServiceAccount", "name": "web"})] with data.marty as m
	count(f) == 0
}
