"""The service catalog (catalog/services.yaml) and the files derived from it.

`catalog/services.yaml` is the single source of truth for the services. This module turns it into
plain, committed kustomize/helm inputs and docs, so nothing downstream reads the catalog at deploy
time:

- docs/services.md                               the service table
- base/services/<name>/                        the service's base: chart values (identity, ports,
                                                callers, egress) and its ExternalSecret
- base/platform/network/catalog-allow.yaml      NetworkPolicies to the data tier (postgres, kafka,
                                                redis, object storage)
- base/platform/mesh/authorization-policies.yaml  one Istio AuthorizationPolicy per service
- base/platform/data/postgres-clusters.yaml     CloudNativePG Cluster + ScheduledBackup per database
- base/platform/data/redis.yaml                 hardened Redis StatefulSets for the services that use one
- base/platform/certs/service-certificates.yaml  one cert-manager Certificate per service
- gitops/flux/<env>/                            Flux source, applier identity and one Kustomization
                                                per overlay directory (from overlays/<env>/*)

`scripts/generate` writes them (`--check` lists the stale ones; CI fails on any). It also
scaffolds the overlays (`overlays/<env>/<name>/`) of a service new to the catalog, once: existing
overlays are never overwritten, because they carry the per-env image versions promotion PRs change.
Likewise it scaffolds an SLO spec stub (`monitoring/slo/<name>.yaml`: availability and latency
from the service's protocol) for a service that has none, once; teams then tune the objectives.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CATALOG = "catalog/services.yaml"
ENVS = ("dev", "staging", "prod")
METRICS_PORT = 9090
# Catalog dependencies that are infrastructure rather than services.
INFRA = {"postgresql", "kafka", "redis", "vault", "object-storage"}
HEADER = ("# GENERATED from catalog/services.yaml by `scripts/generate`.\n"
          "# Do not edit: change the catalog and regenerate (CI runs the `check` mode).\n")
PART_OF = "marty"
KAFKA_CLUSTER = "marty"
POSTGRES_IMAGE = "ghcr.io/marty-platform/postgresql:16.6"
REDIS_IMAGE = "ghcr.io/marty-platform/redis"
REDIS_TAG = "7.4.2"
# Pinned for every env (prod requires digests); bump tag and digest together.
REDIS_DIGEST = "sha256:4d2f5b1c7a9e3f6d8b0a2c4e6f8a1b3d5c7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a"


@dataclass(frozen=True)
class Service:
    name: str
    protocol: str
    port: int
    team: str
    database: bool
    dependencies: tuple[str, ...]
    description: str = ""
    rollout: str = "canary"
    public: bool = False
    callers: tuple[str, ...] = field(default=())

    @property
    def service_deps(self) -> list[str]:
        return [d for d in self.dependencies if d not in INFRA]

    @property
    def db_name(self) -> str:
        return self.name.replace("-", "_")


def load(root: Path) -> list[Service]:
    data = yaml.safe_load((root / CATALOG).read_text(encoding="utf-8"))
    raw = data["services"]
    callers: dict[str, list[str]] = {s["name"]: [] for s in raw}
    for s in raw:
        for dep in s.get("dependencies", []):
            if dep in callers:
                callers[dep].append(s["name"])
    return [Service(name=s["name"], protocol=s["protocol"], port=int(s["port"]), team=s["team"],
                    database=bool(s["database"]), dependencies=tuple(s.get("dependencies", [])),
                    description=s.get("description", ""), rollout=s.get("rollout", "canary"),
                    public=bool(s.get("public", False)), callers=tuple(sorted(callers[s["name"]])))
            for s in raw]


class _IndentedDumper(yaml.SafeDumper):
    """Block sequences indented under their key (the style of the hand-written files)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _dump(docs: list[dict]) -> str:
    return HEADER + "".join("---\n" + yaml.safe_dump(d, sort_keys=False, width=120)
                            for d in docs)


def _labels(svc: Service, component: str | None = None) -> dict:
    labels = {"app.kubernetes.io/name": svc.name, "app.kubernetes.io/part-of": PART_OF,
              "marty.dev/team": svc.team}
    if component:
        labels["app.kubernetes.io/component"] = component
    return labels


# --- docs/services.md -------------------------------------------------------------------------

def services_md(services: list[Service]) -> str:
    by_name = {s.name: s for s in services}
    lines = [
        "<!-- GENERATED from catalog/services.yaml by `scripts/generate`;"
        " do not edit. -->",
        "# Services",
        "",
        "The services the Marty platform runs, generated from `catalog/services.yaml` (the single "
        "source of truth). Every service also serves Prometheus metrics on port "
        f"{METRICS_PORT} (`metrics`), runs under its own ServiceAccount without an API token, and "
        "is rendered from `charts/microservice`.",
        "",
        "| Service | Port | Protocol | Dependencies | Called by | Database | Team | Delivery |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in services:
        deps = ", ".join(f"[{d}](#{d})" if d in by_name else d for d in s.dependencies) or "-"
        callers = ", ".join(s.callers) or ("ingress gateway" if s.public else "-")
        if s.public and s.callers:
            callers += ", ingress gateway"
        db = f"PostgreSQL `{s.name}-db` (database `{s.db_name}`)" if s.database else "-"
        lines.append(f"| <a id=\"{s.name}\"></a>`{s.name}` | {s.port} | {s.protocol} | {deps} | "
                     f"{callers} | {db} | {s.team} | {s.rollout} |")
    lines += ["", "## Descriptions", ""]
    lines += [f"- **{s.name}**: {s.description}" for s in services if s.description]
    lines += ["", "Overlays: `overlays/<env>/<service>/` for env in dev, staging, prod. "
              "See [delivery.md](delivery.md) for how a change reaches an env.", ""]
    return "\n".join(lines)


# --- chart values ------------------------------------------------------------------------------

def service_values(svc: Service, services: list[Service]) -> str:
    ports = {s.name: s.port for s in services}
    values: dict = {
        "fullnameOverride": svc.name,
        "team": svc.team,
        "protocol": svc.protocol,
        "containerPorts": {"app": svc.port, "metrics": METRICS_PORT},
        "image": {"repository": f"marty-platform/{svc.name}"},
        "extraEnvVarsSecret": f"{svc.name}-secrets",
        "database": {"enabled": svc.database},
        "migration": {"enabled": svc.database},
        "rollout": {"strategy": svc.rollout},
        "networkPolicy": {
            "allowedCallers": list(svc.callers),
            "allowIngressGateway": svc.public,
            "egressTo": [{"name": d, "port": ports[d]} for d in svc.service_deps],
        },
    }
    return HEADER + f"# {svc.name}: {svc.description}\n" + yaml.safe_dump(values, sort_keys=False)


# --- platform-network --------------------------------------------------------------------------

def _np(name: str, svc: Service, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "labels": _labels(svc)}, "spec": spec}


def _pods(labels: dict) -> dict:
    return {"podSelector": {"matchLabels": labels}}


def _allow_pair(s: Service, peer: dict, port: int, egress_name: str, ingress_name: str) -> list:
    """Both halves of one allowed connection: egress from the service, ingress at its peer."""
    app = {"app.kubernetes.io/name": s.name}
    ports = [{"port": port, "protocol": "TCP"}]
    return [
        _np(egress_name, s, {"podSelector": {"matchLabels": app}, "policyTypes": ["Egress"],
                             "egress": [{"to": [_pods(peer)], "ports": ports}]}),
        _np(ingress_name, s, {"podSelector": {"matchLabels": peer}, "policyTypes": ["Ingress"],
                              "ingress": [{"from": [_pods(app)], "ports": ports}]}),
    ]


def network_policies(services: list[Service]) -> str:
    docs = []
    for s in services:
        app = {"app.kubernetes.io/name": s.name}
        if s.database:
            docs += _allow_pair(s, {"cnpg.io/cluster": f"{s.name}-db"}, 5432,
                                f"{s.name}-to-postgres", f"{s.name}-db-from-{s.name}")
        if "kafka" in s.dependencies:
            docs += _allow_pair(s, {"strimzi.io/cluster": KAFKA_CLUSTER, "strimzi.io/kind": "Kafka"},
                                9093, f"{s.name}-to-kafka", f"kafka-from-{s.name}")
        if "redis" in s.dependencies:
            docs += _allow_pair(s, {"app.kubernetes.io/name": f"{s.name}-redis"}, 6379,
                                f"{s.name}-to-redis", f"{s.name}-redis-from-{s.name}")
        if "object-storage" in s.dependencies:
            docs.append(_np(f"{s.name}-to-object-storage", s, {
                "podSelector": {"matchLabels": app}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [
                    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}],
                    "ports": [{"port": 443, "protocol": "TCP"}]}]}))
    return _dump(docs)


# --- platform-mesh -----------------------------------------------------------------------------

def authorization_policies(services: list[Service]) -> str:
    docs = []
    for s in services:
        rules = []
        if s.callers:
            # Suffix match on the SPIFFE principal: the namespace prefix differs per env and the
            # namespace itself is pinned by `namespaces` (prefix match) in the same source.
            rules.append({"from": [{"source": {
                "principals": [f"*/sa/{c}" for c in s.callers], "namespaces": ["marty-*"]}}],
                "to": [{"operation": {"ports": [str(s.port)]}}]})
        if s.public:
            rules.append({"from": [{"source": {
                "principals": ["*/ns/istio-ingress/sa/istio-ingressgateway"]}}],
                "to": [{"operation": {"ports": [str(s.port)]}}]})
        rules.append({"from": [{"source": {"namespaces": ["monitoring"]}}],
                      "to": [{"operation": {"ports": [str(METRICS_PORT)], "methods": ["GET"],
                                            "paths": ["/metrics"]}}]})
        docs.append({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                     "metadata": {"name": s.name, "labels": _labels(s)},
                     "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": s.name}},
                              "action": "ALLOW", "rules": rules}})
    return _dump(docs)


# --- platform-secrets --------------------------------------------------------------------------

def external_secret(s: Service) -> str:
    doc = {
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": f"{s.name}-secrets", "labels": _labels(s)},
        "spec": {
            # Rotation: values are re-read from OpenBao every hour; rotating a value in
            # OpenBao reaches the Secret within an hour, and a rollout restart picks it up.
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "openbao"},
            "target": {"name": f"{s.name}-secrets", "creationPolicy": "Owner",
                       "deletionPolicy": "Retain"},
            "dataFrom": [{"extract": {"key": f"services/{s.name}"}}],
        }}
    return _dump([doc])


def service_base(s: Service) -> str:
    return HEADER + (
        f"# The base of {s.name}: what it deploys besides the chart (whose values are in\n"
        "# values.yaml next to this file; the overlays inflate the chart).\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - external-secret.yaml\n")


# --- platform-certs ----------------------------------------------------------------------------

def service_certificates(services: list[Service]) -> str:
    docs = []
    for s in services:
        docs.append({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": f"{s.name}-tls", "labels": _labels(s)},
            "spec": {"secretName": f"{s.name}-tls",
                     "issuerRef": {"kind": "ClusterIssuer", "name": "marty-internal"},
                     "commonName": s.name,
                     "dnsNames": [s.name, f"{s.name}.svc"],
                     "duration": "720h", "renewBefore": "240h",
                     "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                     "usages": ["server auth", "client auth"]}})
    return _dump(docs)


# --- platform-data -----------------------------------------------------------------------------

def postgres_clusters(services: list[Service]) -> str:
    docs = []
    for s in services:
        if not s.database:
            continue
        name = f"{s.name}-db"
        docs.append({
            "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
            "metadata": {"name": name, "labels": _labels(s, "database")},
            "spec": {
                "instances": 1,
                "imageName": POSTGRES_IMAGE,
                "enableSuperuserAccess": False,
                "bootstrap": {"initdb": {"database": s.db_name, "owner": s.db_name}},
                "storage": {"size": "10Gi"},
                "monitoring": {"enablePodMonitor": True},
                "backup": {
                    "retentionPolicy": "30d",
                    "barmanObjectStore": {
                        "destinationPath": f"s3://marty-db-backups/{s.name}",
                        "endpointURL": "https://objects.marty.internal",
                        "s3Credentials": {
                            "accessKeyId": {"name": "pg-backup-s3", "key": "ACCESS_KEY_ID"},
                            "secretAccessKey": {"name": "pg-backup-s3",
                                                "key": "ACCESS_SECRET_KEY"}},
                        "wal": {"compression": "gzip"},
                        "data": {"compression": "gzip"},
                    },
                },
            }})
        docs.append({
            "apiVersion": "postgresql.cnpg.io/v1", "kind": "ScheduledBackup",
            "metadata": {"name": f"{name}-daily", "labels": _labels(s, "database")},
            "spec": {"schedule": "0 0 2 * * *", "cluster": {"name": name},
                     "backupOwnerReference": "self", "method": "barmanObjectStore"}})
    return _dump(docs)


def redis(services: list[Service]) -> str:
    docs = []
    for s in services:
        if "redis" not in s.dependencies:
            continue
        name = f"{s.name}-redis"
        labels = {**_labels(s, "cache"), "app.kubernetes.io/name": name,
                  "app.kubernetes.io/version": REDIS_TAG, "app.kubernetes.io/managed-by": "kustomize"}
        selector = {"app.kubernetes.io/name": name}
        docs.append({"apiVersion": "v1", "kind": "ServiceAccount",
                     "metadata": {"name": name, "labels": labels},
                     "automountServiceAccountToken": False})
        docs.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": name, "labels": labels},
                     "spec": {"type": "ClusterIP", "selector": selector, "ports": [
                         {"name": "redis", "port": 6379, "targetPort": "redis",
                          "protocol": "TCP", "appProtocol": "redis"}]}})
        probe = {"exec": {"command": ["redis-cli", "ping"]}}
        docs.append({"apiVersion": "apps/v1", "kind": "StatefulSet",
                     "metadata": {"name": name, "labels": labels},
                     "spec": {
                         "serviceName": name, "replicas": 1,
                         "selector": {"matchLabels": selector},
                         "template": {
                             "metadata": {"labels": labels},
                             "spec": {
                                 "serviceAccountName": name,
                                 "automountServiceAccountToken": False,
                                 "securityContext": {"runAsNonRoot": True, "runAsUser": 999,
                                                     "runAsGroup": 999, "fsGroup": 999,
                                                     "seccompProfile": {"type": "RuntimeDefault"}},
                                 "containers": [{
                                     "name": "redis",
                                     "image": f"{REDIS_IMAGE}:{REDIS_TAG}@{REDIS_DIGEST}",
                                     # A cache: no persistence, bounded memory, no admin commands.
                                     "args": ["--save", "", "--appendonly", "no",
                                              "--maxmemory", "200mb",
                                              "--maxmemory-policy", "allkeys-lru",
                                              "--rename-command", "FLUSHALL", "",
                                              "--rename-command", "CONFIG", ""],
                                     "ports": [{"name": "redis", "containerPort": 6379,
                                                "protocol": "TCP"}],
                                     "startupProbe": {**probe, "periodSeconds": 5,
                                                      "failureThreshold": 24},
                                     "readinessProbe": {**probe, "periodSeconds": 10},
                                     "livenessProbe": {**probe, "periodSeconds": 20},
                                     "resources": {"requests": {"cpu": "50m", "memory": "128Mi"},
                                                   "limits": {"cpu": "250m", "memory": "256Mi"}},
                                     "securityContext": {"allowPrivilegeEscalation": False,
                                                         "readOnlyRootFilesystem": True,
                                                         "capabilities": {"drop": ["ALL"]}},
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"},
                                                      {"name": "tmp", "mountPath": "/tmp"}],
                                 }],
                                 "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}},
                                             {"name": "tmp", "emptyDir": {"sizeLimit": "16Mi"}}],
                             }}}})
    return _dump(docs)


# --- gitops/flux/<env> --------------------------------------------------------------------------

FLUX_NS = "flux-system"
FLUX_SA = "marty-applier"
REPO_URL = "https://github.com/marty-platform/marty-platform.git"
RENDERED_BRANCH = "rendered"
APPLIER_RULES = [
    ("", ["namespaces", "services", "serviceaccounts", "configmaps", "resourcequotas",
          "limitranges"]),
    ("apps", ["deployments", "statefulsets"]),
    ("batch", ["jobs"]),
    ("autoscaling", ["horizontalpodautoscalers"]),
    ("policy", ["poddisruptionbudgets"]),
    ("networking.k8s.io", ["networkpolicies"]),
    ("rbac.authorization.k8s.io", ["clusterroles", "clusterrolebindings"]),
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


def flux_kustomizations(root: Path, env: str) -> str:
    """One Flux Kustomization per overlay of the env (except gitops-argocd, which only an Argo CD
    cluster applies), reading the pre-rendered manifests (`scripts/render --env ENV --out
    rendered/ENV` on the `rendered` branch): kustomize-controller cannot inflate helmCharts."""
    names = [n for n in overlay_names(root, env) if n != "gitops-argocd"]
    platform = [n for n in names if n.startswith("platform-")]
    docs = []
    for name in names:
        if name == "gitops-flux":
            depends: list[str] = []
        elif name == "platform-namespaces":
            depends = []
        elif name.startswith("platform-"):
            depends = ["platform-namespaces"] if "platform-namespaces" in names else []
        else:
            depends = platform
        spec: dict = {
            "interval": "10m" if env == "prod" else "5m",
            "retryInterval": "2m",
            "timeout": "5m",
            "path": f"./rendered/{env}/{name}",
            "prune": env != "prod",
            "wait": name.startswith("platform-"),
            "sourceRef": {"kind": "GitRepository", "name": "marty-platform-rendered"},
            "serviceAccountName": FLUX_SA,
        }
        if depends:
            spec["dependsOn"] = [{"name": d} for d in depends]
        docs.append({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                     "metadata": {"name": name, "namespace": FLUX_NS,
                                  "labels": {"app.kubernetes.io/part-of": PART_OF,
                                             "marty.dev/env": env}},
                     "spec": spec})
    return _dump(docs)


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
                    "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]
                    + (["bind", "escalate"] if g == "rbac.authorization.k8s.io" else [])}
                   for g, r in APPLIER_RULES]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": f"marty-{env}-applier",
                      "labels": {"app.kubernetes.io/part-of": PART_OF}},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": f"marty-{env}-applier"},
         "subjects": [{"kind": "ServiceAccount", "name": FLUX_SA, "namespace": FLUX_NS}]},
    ]
    return _dump(docs)


FLUX_KUSTOMIZATION = """# Flux objects of {env}: the rendered-branch GitRepository, the applier ServiceAccount
# every Kustomization impersonates, and one Kustomization per overlay (generated).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - source.yaml
  - kustomizations.yaml
"""


# --- overlays (scaffolded once) ----------------------------------------------------------------

def fake_digest(name: str, tag: str) -> str:
    """Placeholder digest for a scaffolded prod overlay; the release pipeline writes the real one."""
    return "sha256:" + hashlib.sha256(f"ghcr.io/marty-platform/{name}:{tag}".encode()).hexdigest()


def overlay_kustomization(svc: Service, env: str, tag: str = "1.0.0") -> str:
    image: dict = {"tag": tag}
    if env == "prod":
        image["digest"] = fake_digest(svc.name, tag)
    components = ["../../../base/components/mesh-sidecar"]
    if env == "dev":
        components += ["../../../base/components/debug-logging",
                       "../../../base/components/small-resources"]
    doc = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "namespace": f"marty-{env}",
        "resources": [f"../../../base/services/{svc.name}"],
        "helmGlobals": {"chartHome": "../../../charts"},
        "helmCharts": [{
            "name": "microservice", "releaseName": svc.name, "namespace": f"marty-{env}",
            "valuesFile": f"../../../base/services/{svc.name}/values.yaml",
            "additionalValuesFiles": [f"../../../base/profiles/{env}.yaml"],
            "valuesInline": {"image": image},
        }],
        "components": components,
    }
    return (f"# {svc.name} in {env}: the chart with the service's values "
            f"(base/services/{svc.name}), the {env} profile (base/profiles/{env}.yaml)\n"
            "# and the image this env runs. Promotion PRs change valuesInline.image only.\n"
            + yaml.dump(doc, Dumper=_IndentedDumper, sort_keys=False))


# --- entry points ------------------------------------------------------------------------------

def outputs(root: Path) -> dict[str, str]:
    """Every generated file: repo-relative path -> content."""
    services = load(root)
    out = {"docs/services.md": services_md(services),
           "base/platform/network/catalog-allow.yaml": network_policies(services),
           "base/platform/mesh/authorization-policies.yaml": authorization_policies(services),
           "base/platform/data/postgres-clusters.yaml": postgres_clusters(services),
           "base/platform/data/redis.yaml": redis(services),
           "base/platform/certs/service-certificates.yaml": service_certificates(services)}
    for s in services:
        out[f"base/services/{s.name}/values.yaml"] = service_values(s, services)
        out[f"base/services/{s.name}/kustomization.yaml"] = service_base(s)
        out[f"base/services/{s.name}/external-secret.yaml"] = external_secret(s)
    for env in ENVS:
        out[f"gitops/flux/{env}/kustomization.yaml"] = FLUX_KUSTOMIZATION.format(env=env)
        out[f"gitops/flux/{env}/source.yaml"] = flux_source(env)
        out[f"gitops/flux/{env}/kustomizations.yaml"] = flux_kustomizations(root, env)
    return out


def missing_overlays(root: Path) -> list[Path]:
    """Overlay kustomizations of catalog services that do not exist yet."""
    return [root / "overlays" / env / s.name / "kustomization.yaml"
            for s in load(root) for env in ENVS
            if not (root / "overlays" / env / s.name / "kustomization.yaml").exists()]


def scaffold(root: Path) -> list[Path]:
    """Create the overlays of catalog services that have none yet. Existing overlays are never
    touched: they hold each env's image versions."""
    created = missing_overlays(root)
    by_name = {s.name: s for s in load(root)}
    for path in created:
        env, name = path.parts[-3], path.parts[-2]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(overlay_kustomization(by_name[name], env), encoding="utf-8")
    return created


# --- SLO spec stubs (scaffolded once) -------------------------------------------------------------

SLO_DIR = "monitoring/slo"
SLO_AVAILABILITY_OBJECTIVE = 99.9
SLO_LATENCY_OBJECTIVE = 99.0
RUNBOOKS = "https://github.com/marty-platform/marty-platform/blob/main/docs/runbooks/"

_SLO_STUB = """\
# SLOs for {name} (team {team}). Sloth prometheus/v1 spec; schema: schemas/slo-spec.schema.json.
# Generated rules: monitoring/rules/generated/slo-{name}.yaml (regenerate, never edit them).
# Scaffolded from catalog/services.yaml with the default objectives; tune them, it is never
# overwritten.
version: prometheus/v1
service: {name}
labels:
  team: {team}
  tier: marty
slos:
- name: requests-availability
  objective: {availability}
  description: {availability}% of {label} requests to {name} succeed over 30 days.
  sli:
    events:
      error_query: {error_query}
      total_query: {total_query}
  alerting:
    name: SLOAvailabilityBudgetBurn
    labels:
      category: availability
      team: {team}
      service: {name}
    annotations:
      summary: '{svc_label} is burning its availability error budget ({slo_label})'
      runbook_url: {runbooks}slo-availability-budget-burn.md
    page_alert:
      labels:
        severity: critical
    ticket_alert:
      labels:
        severity: warning
- name: requests-latency
  objective: {latency}
  description: {latency}% of {label} requests to {name} complete within 2s over 30 days.
  sli:
    events:
      error_query: |-
        (
          sum(rate({histogram}{{service="{name}",le="+Inf"}}[{{{{.window}}}}]))
          -
          sum(rate({histogram}{{service="{name}",le="2"}}[{{{{.window}}}}]))
        )
      total_query: sum(rate({histogram}{{service="{name}",le="+Inf"}}[{{{{.window}}}}]))
  alerting:
    name: SLOLatencyBudgetBurn
    labels:
      category: latency
      team: {team}
      service: {name}
    annotations:
      summary: '{svc_label} is burning its latency error budget ({slo_label})'
      runbook_url: {runbooks}slo-latency-budget-burn.md
    page_alert:
      labels:
        severity: critical
    ticket_alert:
      labels:
        severity: warning
"""


def slo_spec_stub(svc: Service) -> str:
    """The default SLO spec of a service: availability (99.9%) and latency under 2s (99%),
    measured on the RED metrics of its protocol."""
    window = "[{{.window}}]"
    if svc.protocol == "http":
        label, histogram = "HTTP", "marty_http_request_duration_seconds_bucket"
        error = f'sum(rate(marty_http_requests_total{{service="{svc.name}",code=~"5.."}}{window}))'
        total = f'sum(rate(marty_http_requests_total{{service="{svc.name}"}}{window}))'
    else:
        label, histogram = "gRPC", "marty_grpc_request_duration_seconds_bucket"
        error = f'sum(rate(marty_grpc_errors_total{{service="{svc.name}"}}{window}))'
        total = f'sum(rate(marty_grpc_requests_total{{service="{svc.name}"}}{window}))'
    return _SLO_STUB.format(name=svc.name, team=svc.team, label=label, histogram=histogram,
                            error_query=error, total_query=total, runbooks=RUNBOOKS,
                            svc_label="{{$labels.sloth_service}}",
                            slo_label="{{$labels.sloth_slo}}",
                            availability=SLO_AVAILABILITY_OBJECTIVE,
                            latency=SLO_LATENCY_OBJECTIVE)


def missing_slo_specs(root: Path) -> list[Path]:
    """SLO specs of catalog services that do not exist yet (nothing without monitoring/slo/)."""
    directory = root / SLO_DIR
    if not directory.is_dir():
        return []
    return [directory / f"{s.name}.yaml" for s in load(root)
            if not (directory / f"{s.name}.yaml").exists()]


def scaffold_slo_specs(root: Path) -> list[Path]:
    """Create the SLO spec stubs of catalog services that have none. Existing specs are never
    touched: teams own their objectives."""
    created = missing_slo_specs(root)
    by_name = {s.name: s for s in load(root)}
    for path in created:
        path.write_text(slo_spec_stub(by_name[path.stem]), encoding="utf-8")
    return created
