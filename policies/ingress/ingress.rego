# Ingress / Gateway API hosts: TLS on every Ingress host and no wildcard hosts.
# HTTPRoute TLS is checked across objects by the httproute-tls policy.
package k8s.ingress

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

is_ingress if {
	input.kind == "Ingress"
	startswith(input.apiVersion, "networking.k8s.io/")
}

is_ingress if {
	input.kind == "Ingress"
	startswith(input.apiVersion, "extensions/")
}

is_gateway_api if startswith(input.apiVersion, "gateway.networking.k8s.io/")

rule_hosts contains h if {
	is_ingress
	some r in object.get(input.spec, "rules", [])
	h := object.get(r, "host", "")
}

tls_hosts contains h if {
	is_ingress
	some t in object.get(input.spec, "tls", [])
	some h in object.get(t, "hosts", [])
}

deny contains {"rule": "ingress.tls-required", "msg": msg} if {
	some h in rule_hosts
	h != ""
	not h in tls_hosts
	msg := sprintf("%s: host %q is served without TLS; add it to spec.tls[].hosts with a secretName (cert-manager annotation or an existing certificate)", [rid, h])
}

deny contains {"rule": "ingress.tls-required", "msg": msg} if {
	"" in rule_hosts
	msg := sprintf("%s: a rule has no host, so it is served for any host without TLS; set rules[].host and list it under spec.tls[].hosts", [rid])
}

deny contains {"rule": "ingress.tls-required", "msg": msg} if {
	is_ingress
	count(rule_hosts) == 0
	input.spec.defaultBackend
	count(tls_hosts) == 0
	msg := sprintf("%s: a defaultBackend without TLS hosts serves plain HTTP; use rules with explicit hosts and spec.tls", [rid])
}

wildcard_hosts contains h if {
	some h in (rule_hosts | tls_hosts)
	startswith(h, "*")
}

wildcard_hosts contains h if {
	is_gateway_api
	input.kind in {"HTTPRoute", "GRPCRoute", "TLSRoute"}
	some h in object.get(input.spec, "hostnames", [])
	startswith(h, "*")
}

wildcard_hosts contains h if {
	is_gateway_api
	input.kind == "Gateway"
	some l in object.get(input.spec, "listeners", [])
	h := l.hostname
	startswith(h, "*")
}

deny contains {"rule": "ingress.no-wildcard-host", "msg": msg} if {
	some h in wildcard_hosts
	msg := sprintf("%s: wildcard host %q; list the exact host names this workload serves", [rid, h])
}
