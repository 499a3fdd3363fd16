package k8s.gitops_test

import data.k8s.gitops
import rego.v1

# As the validator passes it: the env.yaml tier says which env is production.
env_data(name) := {"name": name, "tier": "production"} if name == "prod"

env_data(name) := {"name": name, "tier": "non-production"} if name != "prod"

app(spec, annotations) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a", "namespace": "argocd", "annotations": annotations}, "spec": spec}

rules(obj, env) := {r.rule | some r in gitops.deny with input as obj with data.marty as {"env": env_data(env)}}

prune := {"automated": {"prune": true, "selfHeal": true}}

test_default_project_denied if "gitops.argocd-project" in rules(app({"project": "default"}, {}), "dev")

test_missing_project_denied if "gitops.argocd-project" in rules(app({}, {}), "dev")

test_appset_default_project_denied if {
	s := {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": {"project": "default"}}}}
	"gitops.argocd-project" in rules(s, "dev")
}

test_team_project_allowed if not "gitops.argocd-project" in rules(app({"project": "payments"}, {}), "dev")

test_prod_auto_prune_denied if "gitops.argocd-auto-prune" in rules(app({"project": "p", "syncPolicy": prune}, {}), "prod")

test_prod_auto_prune_annotated_allowed if not "gitops.argocd-auto-prune" in rules(app({"project": "p", "syncPolicy": prune}, {"marty.dev/allow-auto-prune": "true"}), "prod")

test_dev_auto_prune_allowed if not "gitops.argocd-auto-prune" in rules(app({"project": "p", "syncPolicy": prune}, {}), "dev")

test_flux_kustomization_without_sa_denied if {
	k := {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "k", "namespace": "flux-system"}, "spec": {"path": "./x"}}
	"gitops.flux-service-account" in rules(k, "dev")
}

test_flux_kustomization_with_sa_allowed if {
	k := {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "k", "namespace": "shop"}, "spec": {"serviceAccountName": "shop-reconciler"}}
	not "gitops.flux-service-account" in rules(k, "dev")
}

test_kustomize_config_kustomization_ignored if {
	k := {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": []}
	count(rules(k, "dev")) == 0
}
