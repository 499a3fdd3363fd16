package k8s.ingress_test

import data.k8s.ingress
import rego.v1

ing(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "shop"}, "spec": spec}

rules(obj) := {r.rule | some r in ingress.deny with input as obj with data.marty as {"env": {"name": "dev"}}}

backend := {"service": {"name": "web", "port": {"number": 80}}}

test_tls_missing_denied if "ingress.tls-required" in rules(ing({"rules": [{"host": "shop.example.com"}]}))

test_tls_other_host_denied if "ingress.tls-required" in rules(ing({"rules": [{"host": "a.example.com"}], "tls": [{"hosts": ["b.example.com"], "secretName": "t"}]}))

test_hostless_rule_denied if "ingress.tls-required" in rules(ing({"rules": [{"http": {}}], "tls": [{"hosts": ["a.example.com"]}]}))

test_default_backend_denied if "ingress.tls-required" in rules(ing({"defaultBackend": backend}))

test_tls_present_allowed if count(rules(ing({"rules": [{"host": "shop.example.com"}], "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}]}))) == 0

test_wildcard_ingress_denied if "ingress.no-wildcard-host" in rules(ing({"rules": [{"host": "*.example.com"}], "tls": [{"hosts": ["*.example.com"]}]}))

test_wildcard_httproute_denied if {
	r := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "shop"}, "spec": {"hostnames": ["*.example.com"]}}
	"ingress.no-wildcard-host" in rules(r)
}

test_wildcard_gateway_listener_denied if {
	g := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "g", "namespace": "istio-ingress"}, "spec": {"listeners": [{"name": "https", "hostname": "*.example.com", "protocol": "HTTPS", "port": 443}]}}
	"ingress.no-wildcard-host" in rules(g)
}

test_exact_hosts_allowed if {
	r := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "shop"}, "spec": {"hostnames": ["shop.example.com"]}}
	not "ingress.no-wildcard-host" in rules(r)
	not "ingress.no-wildcard-host" in rules(ing({"rules": [{"host": "shop.example.com"}]}))
}
