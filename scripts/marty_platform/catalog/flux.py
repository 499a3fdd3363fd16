"""gitops/flux/<env>/: the rendered-branch source, the applier identity and one Kustomization per overlay."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from marty_platform.catalog.controllers import load as load_controllers
from marty_platform.catalog.controllers import present as controllers_present
from marty_platform.catalog.model import PART_OF, dump
from marty_platform.envconfig import production_envs
from marty_platform.repo import Repo

# --- gitops/flux/<env> --------------------------------------------------------------------------

FLUX_NS = "flux-system"
FLUX_SA = "marty-applier"
REPO_URL = "https://github.com/marty-platform/marty-platform.git"
RENDERED_BRANCH = "rendered"
# What the applier manages, and nothing more. It holds no `bind` or `escalate`: Kubernetes lets
# an account create or update a ClusterRole, and bind one, only with permissions it holds
# itself, and the only RBAC objects Flux applies are this ClusterRole and its binding, whose
# permissions the applier holds by definition. Anything broader fails at apply time instead of
# silently making the applier cluster-admin (policy rbac.no-escalation-verbs).
APPLIER_RULES = [
    ("", ["namespaces", "services", "serviceaccounts", "configmaps", "resourcequotas",
          "limitranges"]),
    ("apps", ["deployments", "statefulsets"]),
    ("batch", ["jobs"]),
    ("autoscaling", ["horizontalpodautoscalers"]),
    ("policy", ["poddisruptionbudgets"]),
    ("networking.k8s.io", ["networkpolicies"]),
    ("rbac.authorization.k8s.io", ["clusterroles", "clusterrolebindings"]),
    ("admissionregistration.k8s.io", ["validatingadmissionpolicies",
                                      "validatingadmissionpolicybindings"]),
    ("argoproj.io", ["rollouts", "analysistemplates"]),
    ("monitoring.coreos.com", ["servicemonitors", "prometheusrules"]),
    ("security.istio.io", ["peerauthentications", "authorizationpolicies",
                           "requestauthentications"]),
    ("networking.istio.io", ["gateways", "virtualservices", "envoyfilters"]),
    ("cert-manager.io", ["certificates", "clusterissuers"]),
    ("external-secrets.io", ["externalsecrets", "clustersecretstores"]),
    ("opentelemetry.io", ["opentelemetrycollectors"]),
    ("postgresql.cnpg.io", ["clusters", "scheduledbackups"]),
    ("kafka.strimzi.io", ["kafkas", "kafkanodepools", "kafkatopics"]),
    ("velero.io", ["schedules"]),
    ("kustomize.toolkit.fluxcd.io", ["kustomizations"]),
    ("source.toolkit.fluxcd.io", ["gitrepositories"]),
]


def overlay_names(root: Path, env: str) -> list[str]:
    env_dir = root / "overlays" / env
    if not env_dir.is_dir():
        return []
    return sorted(p.name for p in env_dir.iterdir()
                  if p.is_dir() and (p / "kustomization.yaml").is_file())


def flux_kustomizations(root: Path, env: str, services: Iterable[str] = ()) -> str:
    """One Flux Kustomization per overlay of the env (except gitops-argocd, which only an Argo CD
    cluster applies), reading the pre-rendered manifests (`scripts/render --env ENV --out
    rendered/ENV` on the `rendered` branch): kustomize-controller cannot inflate helmCharts.

    `services` are the catalog's services: each has an overlay once `scripts/generate` has
    scaffolded it, so the wiring lists it in the same run that scaffolds it."""
    names = sorted((set(overlay_names(root, env)) | set(services)) - {"gitops-argocd"})
    production = env in production_envs(Repo(root))  # synced less often, never pruned
    platform = [n for n in names if n.startswith("platform-")]
    # gitops-flux also installs the platform controllers (HelmReleases, controllers.yaml): it is
    # healthy once they are, and the platform overlays start after it.
    controllers = load_controllers(root) if controllers_present(root) else None
    docs = []
    for name in names:
        if name == "gitops-flux":
            depends: list[str] = []
        elif name == "platform-namespaces":
            depends = ["gitops-flux"] if controllers and "gitops-flux" in names else []
        elif name.startswith("platform-"):
            depends = ["platform-namespaces"] if "platform-namespaces" in names else []
        else:
            depends = platform
        spec: dict = {
            "interval": "10m" if production else "5m",
            "retryInterval": "2m",
            "timeout": "5m",
            "path": f"./rendered/{env}/{name}",
            "prune": not production,
            "wait": name.startswith("platform-"),
            "sourceRef": {"kind": "GitRepository", "name": "marty-platform-rendered"},
            "serviceAccountName": FLUX_SA,
        }
        if depends:
            spec["dependsOn"] = [{"name": d} for d in depends]
        if name == "gitops-flux" and controllers:
            spec["healthChecks"] = [
                {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
                 "name": c.name, "namespace": FLUX_NS} for c in controllers.for_engine("flux")]
        docs.append({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                     "metadata": {"name": name, "namespace": FLUX_NS,
                                  "labels": {"app.kubernetes.io/part-of": PART_OF,
                                             "marty.dev/env": env}},
                     "spec": spec})
    return dump(docs)


def flux_source(env: str) -> str:
    docs = [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
         "metadata": {"name": "marty-platform-rendered", "namespace": FLUX_NS,
                      "labels": {"app.kubernetes.io/part-of": PART_OF, "marty.dev/env": env}},
         "spec": {"interval": "1m", "url": REPO_URL, "ref": {"branch": RENDERED_BRANCH},
                  "ignore": f"/*\n!/rendered/{env}/\n",
                  "secretRef": {"name": "marty-platform-git"}}},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": FLUX_SA, "namespace": FLUX_NS,
                      "labels": {"app.kubernetes.io/part-of": PART_OF}}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": f"marty-{env}-applier",
                      "labels": {"app.kubernetes.io/part-of": PART_OF}},
         "rules": [{"apiGroups": [g], "resources": r,
                    "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]}
                   for g, r in APPLIER_RULES]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": f"marty-{env}-applier",
                      "labels": {"app.kubernetes.io/part-of": PART_OF}},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": f"marty-{env}-applier"},
         "subjects": [{"kind": "ServiceAccount", "name": FLUX_SA, "namespace": FLUX_NS}]},
    ]
    return dump(docs)


FLUX_KUSTOMIZATION = """# Flux objects of {env}: the rendered-branch GitRepository, the applier ServiceAccount
# every Kustomization impersonates, one Kustomization per overlay, and the platform controllers'
# HelmRepositories and HelmReleases (all generated).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - source.yaml
  - kustomizations.yaml
  - controllers.yaml
"""
