"""The hermetic Kubernetes API server: etcd and kube-apiserver on loopback, the CRDs and
namespaces an env needs, and server-side apply against it (`scripts/cluster`, `validate --server`,
drift against a server)."""
