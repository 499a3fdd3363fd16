package lib.k8s_test

import data.lib.k8s
import rego.v1

# As the validator passes them (base/openapi/cluster-scoped-kinds.json).
scoped := [
	{"kind": "ClusterSecretStore", "group": "external-secrets.io"},
	{"kind": "ClusterExternalSecret", "group": "external-secrets.io"},
	{"kind": "Namespace", "group": ""},
]

obj(api_version, kind) := {"apiVersion": api_version, "kind": kind, "metadata": {"name": "vault", "namespace": "marty-dev"}}

test_cluster_secret_store_is_cluster_scoped if {
	k8s.cluster_scoped(obj("external-secrets.io/v1", "ClusterSecretStore")) with data.marty.clusterScopedKinds as scoped
	k8s.id(obj("external-secrets.io/v1", "ClusterSecretStore")) == "ClusterSecretStore vault" with data.marty.clusterScopedKinds as scoped
}

test_cluster_external_secret_is_cluster_scoped if {
	k8s.cluster_scoped(obj("external-secrets.io/v1", "ClusterExternalSecret")) with data.marty.clusterScopedKinds as scoped
}

test_core_kind_matches_the_core_group if {
	k8s.cluster_scoped(obj("v1", "Namespace")) with data.marty.clusterScopedKinds as scoped
}

test_same_kind_in_another_group_is_namespaced if {
	not k8s.cluster_scoped(obj("example.com/v1", "Namespace")) with data.marty.clusterScopedKinds as scoped
}

test_namespaced_kind_keeps_its_namespace if {
	not k8s.cluster_scoped(obj("external-secrets.io/v1", "SecretStore")) with data.marty.clusterScopedKinds as scoped
	k8s.id(obj("external-secrets.io/v1", "SecretStore")) == "SecretStore marty-dev/vault" with data.marty.clusterScopedKinds as scoped
}

test_without_the_list_every_object_is_namespaced if {
	not k8s.cluster_scoped(obj("v1", "Namespace")) with data.marty.clusterScopedKinds as []
}

test_production_is_the_tier_not_the_name if {
	k8s.is_prod with data.marty.env as {"name": "live", "tier": "production"}
	not k8s.is_prod with data.marty.env as {"name": "prod", "tier": "non-production"}
}
