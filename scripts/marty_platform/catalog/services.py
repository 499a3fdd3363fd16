"""Each service's base (base/services/<name>/): chart values, kustomization and ExternalSecret."""
from __future__ import annotations

import yaml

from marty_platform.catalog.model import HEADER, METRICS_PORT, Service, dump, labels_for

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


# --- platform-secrets --------------------------------------------------------------------------

def external_secret(s: Service) -> str:
    doc = {
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": f"{s.name}-secrets", "labels": labels_for(s)},
        "spec": {
            # Rotation: values are re-read from OpenBao every hour; rotating a value in
            # OpenBao reaches the Secret within an hour, and a rollout restart picks it up.
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "openbao"},
            "target": {"name": f"{s.name}-secrets", "creationPolicy": "Owner",
                       "deletionPolicy": "Retain"},
            "dataFrom": [{"extract": {"key": f"services/{s.name}"}}],
        }}
    return dump([doc])


def service_base(s: Service) -> str:
    return HEADER + (
        f"# The base of {s.name}: what it deploys besides the chart (whose values are in\n"
        "# values.yaml next to this file; the overlays inflate the chart).\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - external-secret.yaml\n")
