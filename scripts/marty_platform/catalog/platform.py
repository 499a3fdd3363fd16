"""The platform overlays' catalog-derived parts: allow-rules, mesh policies, certificates and data stores."""
from __future__ import annotations

from marty_platform.catalog.components import image
from marty_platform.catalog.model import (
    KAFKA_CLUSTER,
    METRICS_PORT,
    Service,
    dump,
    labels_for,
)

# --- platform-network --------------------------------------------------------------------------

def _np(name: str, svc: Service, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "labels": labels_for(svc)}, "spec": spec}


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
    return dump(docs)


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
                     "metadata": {"name": s.name, "labels": labels_for(s)},
                     "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": s.name}},
                              "action": "ALLOW", "rules": rules}})
    return dump(docs)


# --- platform-certs ----------------------------------------------------------------------------

def service_certificates(services: list[Service]) -> str:
    docs = []
    for s in services:
        docs.append({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": f"{s.name}-tls", "labels": labels_for(s)},
            "spec": {"secretName": f"{s.name}-tls",
                     "issuerRef": {"kind": "ClusterIssuer", "name": "marty-internal"},
                     "commonName": s.name,
                     "dnsNames": [s.name, f"{s.name}.svc"],
                     "duration": "720h", "renewBefore": "240h",
                     "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                     "usages": ["server auth", "client auth"]}})
    return dump(docs)


# --- platform-data -----------------------------------------------------------------------------

def postgres_clusters(services: list[Service], components: dict) -> str:
    postgres = components["postgres"]
    docs = []
    for s in services:
        if not s.database:
            continue
        name = f"{s.name}-db"
        docs.append({
            "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
            "metadata": {"name": name, "labels": labels_for(s, "database")},
            "spec": {
                "instances": 1,
                "imageName": image(postgres),
                "enableSuperuserAccess": False,
                "bootstrap": {"initdb": {"database": s.db_name, "owner": s.db_name}},
                "storage": {"size": postgres["storage"]},
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
            "metadata": {"name": f"{name}-daily", "labels": labels_for(s, "database")},
            "spec": {"schedule": "0 0 2 * * *", "cluster": {"name": name},
                     "backupOwnerReference": "self", "method": "barmanObjectStore"}})
    return dump(docs)


def redis(services: list[Service], components: dict) -> str:
    cache = components["redis"]
    docs = []
    for s in services:
        if "redis" not in s.dependencies:
            continue
        name = f"{s.name}-redis"
        labels = {**labels_for(s, "cache"), "app.kubernetes.io/name": name,
                  "app.kubernetes.io/version": cache["tag"], "app.kubernetes.io/managed-by": "kustomize"}
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
                                     "image": image(cache),
                                     # A cache: no persistence, bounded memory, no admin commands.
                                     "args": ["--save", "", "--appendonly", "no",
                                              "--maxmemory", cache["maxmemory"],
                                              "--maxmemory-policy", "allkeys-lru",
                                              "--rename-command", "FLUSHALL", "",
                                              "--rename-command", "CONFIG", ""],
                                     "ports": [{"name": "redis", "containerPort": 6379,
                                                "protocol": "TCP"}],
                                     "startupProbe": {**probe, "periodSeconds": 5,
                                                      "failureThreshold": 24},
                                     "readinessProbe": {**probe, "periodSeconds": 10},
                                     "livenessProbe": {**probe, "periodSeconds": 20},
                                     "resources": cache["resources"],
                                     "securityContext": {"allowPrivilegeEscalation": False,
                                                         "readOnlyRootFilesystem": True,
                                                         "capabilities": {"drop": ["ALL"]}},
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"},
                                                      {"name": "tmp", "mountPath": "/tmp"}],
                                 }],
                                 "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}},
                                             {"name": "tmp", "emptyDir": {"sizeLimit": "16Mi"}}],
                             }}}})
    return dump(docs)
