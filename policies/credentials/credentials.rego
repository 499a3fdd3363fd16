# No credentials in Git: no inline Secret data, no literal credential env vars, no
# credential-looking keys in ConfigMaps, no credentials inside values (URL passwords, credential
# options, credential settings of embedded config files). What a credential is comes from
# data.marty.credentials (policies/data/credentials.yaml), the rule scripts/diff and scripts/drift
# redact with.
package k8s.credentials

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

rule := data.marty.credentials

looks_like_credential(key) if {
	some p in rule.names
	regex.match(p, key)
}

literal(value) if {
	is_string(value)
	value != ""
	not regex.match(rule.placeholder, value)
}

# The credential held inside a longer value: a URL's password, a credential option's value, or a
# credential setting of an embedded config file (the settings' first group is the name, the
# second the value).
carries_credential(value) if {
	is_string(value)
	some p in rule.inValues
	some m in regex.find_all_string_submatch_n(p, value, -1)
	literal(m[count(m) - 1])
}

carries_credential(value) if {
	is_string(value)
	some p in rule.settings
	some m in regex.find_all_string_submatch_n(p, value, -1)
	looks_like_credential(m[1])
	literal(m[2])
}

deny contains {"rule": "credentials.no-secret-data", "msg": msg} if {
	input.kind == "Secret"
	input.apiVersion == "v1"
	fields := [f | some f in ["data", "stringData"]; count(object.get(input, f, {})) > 0]
	count(fields) > 0
	msg := sprintf("%s: carries %s in Git; replace it with an ExternalSecret (or SealedSecret) and keep the value in the secret store", [rid, concat(" and ", fields)])
}

deny contains {"rule": "credentials.env-literal", "msg": msg} if {
	some x in k8s.containers(k8s.pod_spec(input))
	some e in object.get(x.c, "env", [])
	looks_like_credential(e.name)
	literal(e.value)
	msg := sprintf("%s: %s[%d] %q sets env %s to a literal value; use valueFrom.secretKeyRef instead", [rid, x.field, x.index, x.name, e.name])
}

deny contains {"rule": "credentials.configmap", "msg": msg} if {
	input.kind == "ConfigMap"
	some f in ["data", "binaryData"]
	some key, _ in object.get(input, f, {})
	looks_like_credential(key)
	msg := sprintf("%s: key %q in %s looks like a credential; move it to a Secret sourced from the secret store (ExternalSecret)", [rid, key, f])
}

deny contains {"rule": "credentials.inline", "msg": msg} if {
	some x in k8s.containers(k8s.pod_spec(input))
	some where, value in container_values(x.c)
	carries_credential(value)
	msg := sprintf("%s: %s[%d] %q has a credential inside %s; pass it from a Secret (valueFrom.secretKeyRef, $(VAR) in args)", [rid, x.field, x.index, x.name, where])
}

deny contains {"rule": "credentials.inline", "msg": msg} if {
	some x in k8s.containers(k8s.pod_spec(input))
	some f in ["command", "args"]
	some i, option in object.get(x.c, f, [])
	some p in rule.options
	regex.match(p, option)
	literal(object.get(x.c, [f, i + 1], ""))
	msg := sprintf("%s: %s[%d] %q passes a literal value to %s in %s; pass it from a Secret ($(VAR) in args)", [rid, x.field, x.index, x.name, option, f])
}

deny contains {"rule": "credentials.inline", "msg": msg} if {
	input.kind == "ConfigMap"
	some key, value in object.get(input, "data", {})
	carries_credential(value)
	msg := sprintf("%s: data key %q holds a credential (a URL password, a credential option or setting); move it to a Secret sourced from the secret store (ExternalSecret)", [rid, key])
}

container_values(c) := object.union(
	{sprintf("%s[%d]", [f, i]): v |
		some f in ["command", "args"]
		some i, v in object.get(c, f, [])
	},
	{sprintf("env %s", [e.name]): e.value |
		some e in object.get(c, "env", [])
		is_string(e.value)
	},
)
