"""Reports, redaction and risk notes on synthetic objects (no tools needed)."""
from marty_platform.diffing import report_markdown, report_text
from marty_platform.diffing.compare import build_report
from marty_platform.diffing.redact import redact_object


def _deployment(name, replicas=2, image="ghcr.io/marty-platform/web:1.0.0", env=None):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "marty-prod",
                         "annotations": {"config.kubernetes.io/origin": "x",
                                         "checksum/config": "abc"}},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "app", "image": image, "env": env or []}]}}}}


def test_secrets_and_credentials_are_redacted():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "data": {"password": "c2VjcmV0"}, "stringData": {"token": "plain-token"}}
    before = [secret, _deployment("web", env=[{"name": "DB_PASSWORD", "value": "pw-one"},
                                              {"name": "LOG_LEVEL", "value": "info"}])]
    after = [{**secret, "data": {"password": "b3RoZXI="}},
             _deployment("web", env=[{"name": "LOG_LEVEL", "value": "debug"},
                                     {"name": "DB_PASSWORD", "value": "pw-two"},
                                     {"name": "SIGNING_KEY", "value": "-----BEGIN PRIVATE KEY-----x"}])]
    report = build_report("t", {("prod", "web"): before}, {("prod", "web"): after})
    text = report_text.render(report) + report_markdown.render(report)
    for plain in ("c2VjcmV0", "b3RoZXI=", "plain-token", "pw-one", "pw-two", "BEGIN PRIVATE"):
        assert plain not in text
    paths = [c.path for d in report.apps[0].resources for c in d.changes]
    assert "data.password" in paths  # the change is still visible, its value is not
    assert "spec.template.spec.containers[app].env[LOG_LEVEL].value" in paths
    assert "checksum" not in text and "config.kubernetes.io" not in text


def test_redaction_keeps_references_and_digests():
    obj = redact_object({"kind": "Deployment", "spec": {"secretName": "tls", "image":
                         "ghcr.io/x@sha256:" + "a" * 64, "tokenPath": "/var/run/token"}})
    assert obj["spec"] == {"secretName": "tls", "image": "ghcr.io/x@sha256:" + "a" * 64,
                           "tokenPath": "/var/run/token"}


def test_risk_notes():
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
    wider = {**role, "rules": [{"apiGroups": [""], "resources": ["pods", "secrets"],
                                "verbs": ["get", "*"]}]}
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "web", "namespace": "marty-prod"}}
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "x.marty.dev"}, "spec": {"group": "marty.dev"}}
    report = build_report("t", {("prod", "web"): [role, pdb, crd, _deployment("web", 3)]},
                          {("prod", "web"): [wider, {**crd, "spec": {"group": "marty.io"}},
                                             _deployment("web", 2, image="ghcr.io/x:2")]})
    messages = sorted(r.message for r in report.risks)
    assert "PodDisruptionBudget removed" in messages
    assert "resource deleted in prod" in messages
    assert "replicas reduced 3 → 2" in messages
    assert "CRD changed" in messages
    assert any(m.startswith("image changed (app)") for m in messages)
    assert any(m.startswith("RBAC scope widened") and "* secrets" in m for m in messages)


def test_markdown_stays_under_the_limit_and_splits():
    before = {("prod", f"app-{i:03d}"): [_deployment(f"d-{j}", 1) for j in range(40)]
              for i in range(60)}
    after = {key: [_deployment(f"d-{j}", 2, image=f"ghcr.io/x:{j}" * 5) for j in range(40)]
             for key in before}
    report = build_report("big", before, after)
    body = report_markdown.render(report)
    assert len(body) < report_markdown.LIMIT
    assert body.startswith(report_markdown.MARKER) and "run `scripts/diff` locally" in body
    parts = report_markdown.render_parts(report)
    assert len(parts) > 1 and all(len(p) < report_markdown.LIMIT for p in parts)
    assert parts[1].startswith("<!-- marty-diff part 2 -->")
