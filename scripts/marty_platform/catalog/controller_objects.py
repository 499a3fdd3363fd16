"""The GitOps objects that install the platform controllers (catalog/platform-controllers.yaml),
one set per env and engine:

- Argo CD: an AppProject allowed to deploy the listed chart repositories (and to read values from
  this repository) into the controllers' namespaces, and one multi-source Application per
  controller: the chart at its pinned version, values files from this repository (`$values`),
  a sync wave by dependency depth.
- Flux: one HelmRepository per chart repository and one HelmRelease per controller, the same
  values merged inline (helm-controller cannot read values files from another source), with
  `dependsOn` for the order.
"""
from __future__ import annotations

from marty_platform.catalog.controllers import Controller, Controllers
from marty_platform.catalog.flux import FLUX_NS, REPO_URL
from marty_platform.catalog.model import PART_OF

ARGOCD_NS = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
VALUES_REF = "values"
# Labelled so the delivery check judges the overlays against their own projects only: this one
# deploys remote charts and nothing from overlays/.
CONTROLLERS_PROJECT_LABEL = {"marty.dev/delivers": "controllers"}
# The identity helm-controller installs the controllers as. Installing an operator means creating
# CRDs, webhooks and ClusterRoles with any permission, so this account is bound to cluster-admin;
# only the HelmReleases generated here use it (the overlays' Kustomizations use marty-applier).
INSTALLER_SA = "marty-controller-installer"
# What the charts create outside a namespace (CRDs, RBAC, admission webhooks, ...).
CLUSTER_KINDS = [
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("apiregistration.k8s.io", "APIService"),
    ("", "Namespace"),
    ("scheduling.k8s.io", "PriorityClass"),
]


def project_name(env: str) -> str:
    return f"marty-{env}-controllers"


def _labels(env: str, name: str | None = None) -> dict:
    labels = {"app.kubernetes.io/part-of": PART_OF, "marty.dev/env": env,
              "marty.dev/tier": "controller"}
    if name:
        labels["app.kubernetes.io/name"] = name
    return labels


def argocd_objects(controllers: Controllers, env: str, production: bool) -> list[dict]:
    chosen = controllers.for_engine("argocd")
    namespaces = sorted({c.namespace for c in chosen} | {"kube-system"})
    project = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": {"name": project_name(env), "namespace": ARGOCD_NS,
                     "labels": {**_labels(env), **CONTROLLERS_PROJECT_LABEL}},
        "spec": {
            "description": f"Marty {env} platform controllers (pinned remote charts, values "
                           "from this repository)",
            "sourceRepos": sorted({c.repository_url for c in chosen} | {REPO_URL}),
            "destinations": [{"namespace": ns, "server": IN_CLUSTER} for ns in namespaces],
            "clusterResourceWhitelist": [{"group": g, "kind": k} for g, k in CLUSTER_KINDS],
            "orphanedResources": {"warn": True},
        }}
    return [project, *(_application(c, env, production) for c in chosen)]


def _application(controller: Controller, env: str, production: bool) -> dict:
    sync: dict = {"syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                  "retry": {"limit": 5, "backoff": {"duration": "30s", "factor": 2,
                                                    "maxDuration": "10m"}}}
    if not production:  # prod is synced by an operator, like its overlays
        sync["automated"] = {"prune": True, "selfHeal": True}
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": f"{env}-{controller.name}", "namespace": ARGOCD_NS,
                     "labels": _labels(env, controller.name),
                     "annotations": {"argocd.argoproj.io/sync-wave": str(controller.wave)}},
        "spec": {
            "project": project_name(env),
            "sources": [
                {"repoURL": controller.repository_url, "chart": controller.chart,
                 "targetRevision": controller.version,
                 "helm": {"releaseName": controller.name,
                          "valueFiles": [f"${VALUES_REF}/{f}" for f in controller.value_files]}},
                {"repoURL": REPO_URL, "targetRevision": "main", "ref": VALUES_REF},
            ],
            "destination": {"server": IN_CLUSTER, "namespace": controller.namespace},
            "syncPolicy": sync,
        }}


def flux_objects(controllers: Controllers, env: str, production: bool,
                 values: dict[str, dict]) -> list[dict]:
    """`values`: each controller's merged values (controllers.read_values)."""
    chosen = controllers.for_engine("flux")
    docs: list[dict] = [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": INSTALLER_SA, "namespace": FLUX_NS, "labels": _labels(env)}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": INSTALLER_SA, "labels": _labels(env)},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": "cluster-admin"},
         "subjects": [{"kind": "ServiceAccount", "name": INSTALLER_SA, "namespace": FLUX_NS}]},
    ]
    docs += [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
         "metadata": {"name": name, "namespace": FLUX_NS, "labels": _labels(env)},
         "spec": {"interval": "1h", "url": controllers.repositories[name]}}
        for name in sorted({c.repository for c in chosen})]
    for c in chosen:
        spec: dict = {
            "interval": "30m" if production else "10m",
            "releaseName": c.name,
            "serviceAccountName": INSTALLER_SA,
            "targetNamespace": c.namespace,
            "storageNamespace": c.namespace,
            "chart": {"spec": {"chart": c.chart, "version": c.version, "interval": "1h",
                               "sourceRef": {"kind": "HelmRepository", "name": c.repository,
                                             "namespace": FLUX_NS}}},
            "install": {"createNamespace": True, "crds": "CreateReplace",
                        "remediation": {"retries": 3}},
            "upgrade": {"crds": "CreateReplace", "remediation": {"retries": 3}},
        }
        if c.depends_on:
            spec["dependsOn"] = [{"name": d, "namespace": FLUX_NS} for d in c.depends_on]
        spec["values"] = values[c.name]
        docs.append({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
                     "metadata": {"name": c.name, "namespace": FLUX_NS,
                                  "labels": _labels(env, c.name)},
                     "spec": spec})
    return docs

