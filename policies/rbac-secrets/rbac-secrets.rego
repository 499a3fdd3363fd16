# Only allow-listed ServiceAccounts may be bound to roles that grant access to Secrets.
# Combined: the role and its bindings are usually separate objects.
package k8s_combined.rbac_secrets

import data.lib.k8s
import rego.v1

objects := k8s.combined_objects(input)

allowlist := a if {
	a := data.marty.secret_access_allowlist
} else := []

is_rbac(obj) if startswith(obj.apiVersion, "rbac.authorization.k8s.io/")

grants_secrets(role) if {
	some r in object.get(role, "rules", [])
	some g in object.get(r, "apiGroups", [])
	g in {"", "*"}
	some res in object.get(r, "resources", [])
	res in {"secrets", "*"}
	count(object.get(r, "verbs", [])) > 0
}

# Roles granting secrets access, keyed by [kind, namespace, name]. ClusterRoles have no namespace.
secret_roles contains ["Role", k8s.namespace(e.obj), e.obj.metadata.name] if {
	some e in objects
	is_rbac(e.obj)
	e.obj.kind == "Role"
	grants_secrets(e.obj)
}

secret_roles contains ["ClusterRole", "", e.obj.metadata.name] if {
	some e in objects
	is_rbac(e.obj)
	e.obj.kind == "ClusterRole"
	grants_secrets(e.obj)
}

role_key(binding) := ["Role", k8s.namespace(binding), binding.roleRef.name] if binding.roleRef.kind == "Role"

role_key(binding) := ["ClusterRole", "", binding.roleRef.name] if binding.roleRef.kind == "ClusterRole"

allowed(subject, binding_ns) if {
	subject.kind == "ServiceAccount"
	ns := object.get(subject, "namespace", binding_ns)
	some a in allowlist
	a.namespace == ns
	a.name == subject.name
}

subject_id(s, binding_ns) := sprintf("ServiceAccount %s/%s", [object.get(s, "namespace", binding_ns), s.name]) if s.kind == "ServiceAccount"

subject_id(s, _) := sprintf("%s %s", [s.kind, s.name]) if s.kind != "ServiceAccount"

deny contains {"rule": "rbac.secrets-access", "msg": msg, "path": e.path} if {
	some e in objects
	b := e.obj
	is_rbac(b)
	b.kind in {"RoleBinding", "ClusterRoleBinding"}
	role_key(b) in secret_roles
	bns := k8s.namespace(b)
	some s in object.get(b, "subjects", [])
	not allowed(s, bns)
	msg := sprintf("%s grants %s access to Secrets through %s %s; remove secrets from the role, or add the ServiceAccount to marty.secret_access_allowlist (policies/data) with a justification", [k8s.id(b), subject_id(s, bns), b.roleRef.kind, b.roleRef.name])
}
