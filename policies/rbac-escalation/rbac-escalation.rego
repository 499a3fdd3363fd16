# No role grants the verbs that bypass RBAC's own escalation checks.
#
# Kubernetes lets an account create a Role/ClusterRole or a binding only with permissions it
# already holds. `escalate` (on roles) and `bind` (on bindings) lift that check, `impersonate`
# acts as another user, group or ServiceAccount: any of them is cluster-admin in effect.
package k8s.rbac_escalation

import data.lib.k8s
import rego.v1

escalation_verbs := {"bind", "escalate", "impersonate"}

rid := k8s.id(input)

deny contains {"rule": "rbac.no-escalation-verbs", "msg": msg} if {
	startswith(input.apiVersion, "rbac.authorization.k8s.io/")
	input.kind in {"Role", "ClusterRole"}
	some i, r in object.get(input, "rules", [])
	granted := {v | some v in object.get(r, "verbs", []); v in escalation_verbs}
	count(granted) > 0
	msg := sprintf("%s: rules[%d] grants %v, which lets the holder gain permissions it does not have; grant the permissions themselves (an account may create roles and bindings for permissions it holds)", [rid, i, sort(granted)])
}
