package k8s_combined.availability_test

import data.k8s_combined.availability
import rego.v1

# As the validator passes it: the env.yaml tier says which env is production.
env_data(name) := {"name": name, "tier": "production"} if name == "prod"

env_data(name) := {"name": name, "tier": "non-production"} if name != "prod"

spread := [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]

dep(replicas, tsc) := {"path": "shop/deploy.yaml", "contents": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "web", "tier": "fe"}}, "spec": {"containers": [{"name": "c"}], "topologySpreadConstraints": tsc}}}}}

pdb(ns, selector) := {"path": "shop/pdb.yaml", "contents": {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": ns}, "spec": {"maxUnavailable": 1, "selector": selector}}}

rules(inp, env) := {f.rule | some f in availability.deny with input as inp with data.marty as {"env": env_data(env)}}

test_pdb_missing_denied if "availability.pdb-required" in rules([dep(3, spread)], "prod")

test_pdb_wrong_selector_denied if "availability.pdb-required" in rules([dep(3, spread), pdb("shop", {"matchLabels": {"app": "api"}})], "prod")

test_pdb_other_namespace_denied if "availability.pdb-required" in rules([dep(3, spread), pdb("other", {"matchLabels": {"app": "web"}})], "prod")

test_pdb_matching_allowed if not "availability.pdb-required" in rules([dep(3, spread), pdb("shop", {"matchLabels": {"app": "web"}})], "prod")

test_pdb_match_expressions_allowed if not "availability.pdb-required" in rules([dep(3, spread), pdb("shop", {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe"]}]})], "prod")

test_single_replica_allowed if count(rules([dep(1, [])], "prod")) == 0

test_non_prod_allowed if count(rules([dep(3, [])], "staging")) == 0

test_topology_missing_denied if "availability.topology-spread" in rules([dep(2, []), pdb("shop", {"matchLabels": {"app": "web"}})], "prod")

test_topology_present_allowed if not "availability.topology-spread" in rules([dep(2, spread)], "prod")

test_path_reported if {
	some f in availability.deny with input as [dep(3, [])] with data.marty as {"env": env_data("prod")}
	f.path == "shop/deploy.yaml"
}
