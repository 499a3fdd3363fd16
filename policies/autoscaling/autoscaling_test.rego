package k8s.autoscaling_test

import data.k8s.autoscaling
import rego.v1

# As the validator passes it: the env.yaml tier says which env is production.
env_data(name) := {"name": name, "tier": "production"} if name == "prod"

env_data(name) := {"name": name, "tier": "non-production"} if name != "prod"

hpa(spec) := {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "app"}, "spec": spec}

rules(obj, env) := {r.rule | some r in autoscaling.deny with input as obj with data.marty as {"env": env_data(env)}}

test_prod_min_one_denied if "autoscaling.hpa-min-replicas" in rules(hpa({"minReplicas": 1, "maxReplicas": 5}), "prod")

test_prod_default_min_denied if "autoscaling.hpa-min-replicas" in rules(hpa({"maxReplicas": 5}), "prod")

test_prod_min_two_allowed if count(rules(hpa({"minReplicas": 2, "maxReplicas": 5}), "prod")) == 0

test_dev_min_one_allowed if count(rules(hpa({"minReplicas": 1, "maxReplicas": 5}), "dev")) == 0
