# HTTPRoutes must only be served over TLS.
#
# For each parentRef that is a Gateway in the rendered set, the listener(s) the route
# attaches to (sectionName, or every listener when unset) must be HTTPS/TLS listeners.
# When the parent Gateway is managed outside this repo (not in the rendered set), the route
# must carry the annotation marty.dev/tls: "true", attesting that the gateway terminates TLS.
package k8s_combined.httproute_tls

import data.lib.k8s
import rego.v1

objects := k8s.combined_objects(input)

gateways[[k8s.namespace(e.obj), e.obj.metadata.name]] := e.obj if {
	some e in objects
	e.obj.kind == "Gateway"
	startswith(e.obj.apiVersion, "gateway.networking.k8s.io/")
}

routes contains e if {
	some e in objects
	e.obj.kind == "HTTPRoute"
	startswith(e.obj.apiVersion, "gateway.networking.k8s.io/")
}

gateway_refs(route) := [r |
	some r in object.get(route, ["spec", "parentRefs"], [])
	object.get(r, "kind", "Gateway") == "Gateway"
]

ref_key(route, ref) := [object.get(ref, "namespace", k8s.namespace(route)), ref.name]

attached_listeners(gw, ref) := [l |
	some l in object.get(gw, ["spec", "listeners"], [])
	object.get(ref, "sectionName", l.name) == l.name
]

tls_listener(l) if {
	l.protocol in {"HTTPS", "TLS"}
	object.get(l, ["tls", "mode"], "Terminate") in {"Terminate", "Passthrough"}
}

attested(route) if object.get(route, ["metadata", "annotations", "marty.dev/tls"], "") == "true"

deny contains {"rule": "httproute.tls-required", "msg": msg, "path": e.path} if {
	some e in routes
	some ref in gateway_refs(e.obj)
	gw := gateways[ref_key(e.obj, ref)]
	some l in attached_listeners(gw, ref)
	not tls_listener(l)
	msg := sprintf("%s: attaches to listener %q (protocol %s) of Gateway %s/%s, which does not terminate TLS; set parentRefs[].sectionName to an HTTPS listener", [k8s.id(e.obj), l.name, l.protocol, ref_key(e.obj, ref)[0], ref.name])
}

deny contains {"rule": "httproute.tls-required", "msg": msg, "path": e.path} if {
	some e in routes
	some ref in gateway_refs(e.obj)
	gw := gateways[ref_key(e.obj, ref)]
	count(attached_listeners(gw, ref)) == 0
	msg := sprintf("%s: parentRef sectionName %q matches no listener of Gateway %s/%s; reference an HTTPS listener", [k8s.id(e.obj), object.get(ref, "sectionName", ""), ref_key(e.obj, ref)[0], ref.name])
}

deny contains {"rule": "httproute.tls-required", "msg": msg, "path": e.path} if {
	some e in routes
	some ref in gateway_refs(e.obj)
	not gateways[ref_key(e.obj, ref)]
	not attested(e.obj)
	msg := sprintf("%s: parent Gateway %s/%s is not in this repo, so TLS cannot be verified; attach to an HTTPS listener and annotate the route marty.dev/tls: \"true\"", [k8s.id(e.obj), ref_key(e.obj, ref)[0], ref.name])
}
