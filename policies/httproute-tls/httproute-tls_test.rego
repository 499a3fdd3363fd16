package k8s_combined.httproute_tls_test

import data.k8s_combined.httproute_tls
import rego.v1

gw := {"path": "gw.yaml", "contents": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "public", "namespace": "istio-ingress"}, "spec": {"listeners": [
	{"name": "http", "protocol": "HTTP", "port": 80},
	{"name": "https", "protocol": "HTTPS", "port": 443, "tls": {"mode": "Terminate", "certificateRefs": [{"name": "c"}]}},
]}}}

route(ref, annotations) := {"path": "route.yaml", "contents": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web", "namespace": "shop", "annotations": annotations}, "spec": {"parentRefs": [ref], "hostnames": ["shop.example.com"]}}}

findings(inp) := f if {
	f := httproute_tls.deny with input as inp with data.marty as {"env": {"name": "dev"}}
}

test_https_listener_allowed if count(findings([gw, route({"name": "public", "namespace": "istio-ingress", "sectionName": "https"}, {})])) == 0

test_http_listener_denied if {
	some f in findings([gw, route({"name": "public", "namespace": "istio-ingress", "sectionName": "http"}, {})])
	f.rule == "httproute.tls-required"
	f.path == "route.yaml"
}

test_all_listeners_includes_http_denied if count(findings([gw, route({"name": "public", "namespace": "istio-ingress"}, {})])) == 1

test_unknown_section_denied if count(findings([gw, route({"name": "public", "namespace": "istio-ingress", "sectionName": "nope"}, {})])) == 1

test_external_gateway_unattested_denied if count(findings([route({"name": "elsewhere", "namespace": "infra"}, {})])) == 1

test_external_gateway_attested_allowed if count(findings([route({"name": "elsewhere", "namespace": "infra"}, {"marty.dev/tls": "true"})])) == 0
