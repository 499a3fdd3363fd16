# RBAC least privilege: no wildcards and no cluster-admin bindings.
package k8s.rbac

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

is_rbac if startswith(input.apiVersion, "rbac.authorization.k8s.io/")

role_rules contains [i, r] if {
	is_rbac
	input.kind in {"Role", "ClusterRole"}
	some i, r in object.get(input, "rules", [])
}

deny contains {"rule": "rbac.no-wildcard-verbs", "msg": msg} if {
	some [i, r] in role_rules
	"*" in object.get(r, "verbs", [])
	msg := sprintf("%s: rules[%d] grants verbs [\"*\"]; list the verbs needed (e.g. get, list, watch)", [rid, i])
}

deny contains {"rule": "rbac.no-wildcard-resources", "msg": msg} if {
	some [i, r] in role_rules
	some f in ["resources", "apiGroups"]
	"*" in object.get(r, f, [])
	msg := sprintf("%s: rules[%d] grants %s [\"*\"]; list the API groups and resources needed", [rid, i, f])
}

deny contains {"rule": "rbac.no-cluster-admin-binding", "msg": msg} if {
	is_rbac
	input.kind in {"RoleBinding", "ClusterRoleBinding"}
	input.roleRef.kind == "ClusterRole"
	input.roleRef.name == "cluster-admin"
	msg := sprintf("%s: binds the cluster-admin ClusterRole; bind a purpose-built Role/ClusterRole with only the permissions required", [rid])
}
