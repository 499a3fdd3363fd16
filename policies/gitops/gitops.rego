# GitOps controller objects: Argo CD Applications and Flux reconcilers.
package k8s.gitops

import data.lib.k8s
import rego.v1

rid := k8s.id(input)

is_argo if startswith(input.apiVersion, "argoproj.io/")

# Application spec, or the template spec of an ApplicationSet.
app_spec := input.spec if {
	is_argo
	input.kind == "Application"
}

app_spec := input.spec.template.spec if {
	is_argo
	input.kind == "ApplicationSet"
}

deny contains {"rule": "gitops.argocd-project", "msg": msg} if {
	p := object.get(app_spec, "project", "default")
	p in {"default", ""}
	msg := sprintf("%s: uses the Argo CD project \"default\", which allows any source and destination; set spec.project to the team's AppProject", [rid])
}

deny contains {"rule": "gitops.argocd-auto-prune", "msg": msg} if {
	k8s.is_prod
	app_spec.syncPolicy.automated.prune == true
	object.get(input, ["metadata", "annotations", "marty.dev/allow-auto-prune"], "") != "true"
	msg := sprintf("%s: enables automated prune in prod; set spec.syncPolicy.automated.prune: false, or annotate marty.dev/allow-auto-prune: \"true\" after review", [rid])
}

flux_reconciler if {
	startswith(input.apiVersion, "kustomize.toolkit.fluxcd.io/")
	input.kind == "Kustomization"
}

flux_reconciler if {
	startswith(input.apiVersion, "helm.toolkit.fluxcd.io/")
	input.kind == "HelmRelease"
}

deny contains {"rule": "gitops.flux-service-account", "msg": msg} if {
	flux_reconciler
	object.get(input.spec, "serviceAccountName", "") == ""
	msg := sprintf("%s: reconciles with the controller's cluster-admin identity; set spec.serviceAccountName to a namespaced ServiceAccount", [rid])
}
