# No credentials in Git: no inline Secret data, no literal credential env vars, no
# credential-looking keys in ConfigMaps.
package k8s.credentials

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

patterns := p if {
	p := data.marty.credential_key_patterns
} else := [`(?i)(^|[_.-])(PASSWORD|PASSWD|SECRET|TOKEN|API[_.-]?KEY|PRIVATE[_.-]?KEY)($|[_.-])`]

looks_like_credential(key) if {
	some p in patterns
	regex.match(p, key)
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
	is_string(e.value)
	e.value != ""
	msg := sprintf("%s: %s[%d] %q sets env %s to a literal value; use valueFrom.secretKeyRef instead", [rid, x.field, x.index, x.name, e.name])
}

deny contains {"rule": "credentials.configmap", "msg": msg} if {
	input.kind == "ConfigMap"
	some f in ["data", "binaryData"]
	some key, _ in object.get(input, f, {})
	looks_like_credential(key)
	msg := sprintf("%s: key %q in %s looks like a credential; move it to a Secret sourced from the secret store (ExternalSecret)", [rid, key, f])
}
