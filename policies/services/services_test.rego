package k8s.services_test

import data.k8s.services
import rego.v1

svc(ns, t) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": ns}, "spec": {"type": t}}

rules(obj) := {r.rule | some r in services.deny with input as obj with data.marty as {"env": {"name": "dev"}, "ingress_namespaces": ["istio-ingress"]}}

test_load_balancer_denied if "services.no-external-exposure" in rules(svc("shop", "LoadBalancer"))

test_node_port_denied if "services.no-external-exposure" in rules(svc("shop", "NodePort"))

test_cluster_ip_allowed if count(rules(svc("shop", "ClusterIP"))) == 0

test_ingress_namespace_allowed if count(rules(svc("istio-ingress", "LoadBalancer"))) == 0
