package k8s_combined.network_policy_test

import data.k8s_combined.network_policy
import rego.v1

dep(ns) := {"path": sprintf("%s/deploy.yaml", [ns]), "contents": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": ns}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}}

np(ns, spec) := {"path": sprintf("%s/np.yaml", [ns]), "contents": {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": ns}, "spec": spec}}

findings(inp) := f if {
	f := network_policy.deny with input as inp with data.marty as {"env": {"name": "dev"}}
}

test_missing_default_deny_denied if {
	some f in findings([dep("shop")])
	f.rule == "networkpolicy.default-deny"
	f.path == "shop/deploy.yaml"
}

test_default_deny_allowed if count(findings([dep("shop"), np("shop", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})])) == 0

test_policy_types_defaults_to_ingress if count(findings([dep("shop"), np("shop", {"podSelector": {}})])) == 0

test_policy_with_allow_rules_is_not_default_deny if {
	count(findings([dep("shop"), np("shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]})])) == 1
}

test_policy_in_other_namespace_denied if count(findings([dep("shop"), np("other", {"podSelector": {}})])) == 1

test_selective_policy_denied if count(findings([dep("shop"), np("shop", {"podSelector": {"matchLabels": {"app": "x"}}})])) == 1

test_namespace_without_workloads_allowed if count(findings([np("x", {"podSelector": {"matchLabels": {"a": "b"}}})])) == 0
