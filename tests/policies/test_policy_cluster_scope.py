"""The policies take the cluster-scoped kinds from the one list, base/openapi/cluster-scoped-kinds.json
(passed to conftest as data.marty.clusterScopedKinds), not from a list of their own: a finding
names a cluster-scoped object without a namespace, whatever kind it is."""
from __future__ import annotations

from pathlib import Path

# Cluster-scoped in the one list; certificates.k8s.io/v1beta1 was removed in Kubernetes 1.22, so
# the deprecated-apis policy reports it, naming the object.
CSR = """apiVersion: certificates.k8s.io/v1beta1
kind: CertificateSigningRequest
metadata:
  name: node-csr
spec:
  request: cmVxdWVzdA==
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
"""


def test_a_cluster_scoped_kind_of_the_one_list_is_named_without_namespace(run_cli, tmp_path: Path):
    manifest = tmp_path / "csr.yaml"
    manifest.write_text(CSR, encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", "--env", "dev", str(manifest))
    removed = outcome.findings(check="policy", rule="apis.removed")
    assert removed, outcome.stdout + outcome.stderr
    assert all(f["message"].startswith("CertificateSigningRequest node-csr: ") for f in removed), \
        removed
