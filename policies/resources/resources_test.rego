package k8s.resources_test

import data.k8s.resources
import rego.v1

full := {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}

dep(res) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1", "resources": res}]}}}}

rules(obj) := {r.rule | some r in resources.deny with input as obj with data.marty as {"env": {"name": "dev"}}}

test_requests_missing_denied if "resources.requests-required" in rules(dep({"limits": full.limits}))

test_requests_partial_denied if "resources.requests-required" in rules(dep({"requests": {"cpu": "1"}, "limits": full.limits}))

test_requests_present_allowed if not "resources.requests-required" in rules(dep(full))

test_limits_missing_denied if "resources.limits-required" in rules(dep({"requests": full.requests}))

test_limits_present_allowed if not "resources.limits-required" in rules(dep(full))

test_init_container_checked if {
	d := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "app"}, "spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "x:1"}], "containers": [{"name": "c", "image": "x:1", "resources": full}]}}}}
	"resources.limits-required" in rules(d)
}

test_ephemeral_container_ignored if {
	p := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x:1", "resources": full}], "ephemeralContainers": [{"name": "e", "image": "x:1"}]}}
	count(rules(p)) == 0
}
