"""No credential value is ever printed, whatever shape it takes, in any output format.

Each case puts a credential into dev's trust-anchor overlay and a different one into staging's;
`scripts/diff --from-env dev --to-env staging` then reports the change in every format, and
`scripts/drift` reports it against a live copy. Neither value may appear. The same objects are
flagged by validation, because one rule (policies/data/credentials.yaml) decides what a credential
is for both.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from harness import ROOT, tool_env
from marty_platform.diffing.redact import redact_object

APP = "trust-anchor"


def _objects(tag: str) -> list[dict]:
    """The credential cases, each value unique to (case, tag)."""
    def secret(case: str) -> str:
        return f"Hunter2{case}{tag}Zq"

    config = {
        "pwd": secret("Pwd"),
        "app.yaml": f"db:\n  host: db\n  password: {secret('Yaml')}\n",
        "app.ini": f"[db]\nhost = db\npasswd = {secret('Ini')}\n",
        "app.json": json.dumps({"db": {"host": "db", "password": secret("Json")}}),
        "app.properties": f"spring.datasource.url=jdbc:x\nspring.datasource.password={secret('Props')}\n",
    }
    container = {
        "name": "worker", "image": "ghcr.io/marty-platform/trust-anchor:1.4.2",
        "args": [f"--password={secret('ArgEq')}", "--token", secret("ArgNext")],
        "env": [{"name": "DB_PASS", "value": secret("DbPass")},
                {"name": "SMTP_CREDS", "value": secret("SmtpCreds")},
                {"name": "DATABASE_URL", "value": f"postgres://app:{secret('Url')}@db:5432/app"}],
    }
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "leaky-config"},
         "data": config},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "leaky-worker"},
         "spec": {"selector": {"matchLabels": {"app": "leaky"}},
                  "template": {"metadata": {"labels": {"app": "leaky"}},
                               "spec": {"containers": [container]}}}},
    ]


CASES = ["Pwd", "Yaml", "Ini", "Json", "Props", "ArgEq", "ArgNext", "DbPass", "SmtpCreds", "Url"]


def _add_cases(tree, env: str) -> None:
    overlay = tree / "overlays" / env / APP
    (overlay / "leaky.yaml").write_text(yaml.safe_dump_all(_objects(env)))
    kustomization = overlay / "kustomization.yaml"
    text = kustomization.read_text()
    assert "resources:\n" in text
    kustomization.write_text(text.replace("resources:\n", "resources:\n  - leaky.yaml\n", 1))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, cache_dir):
    """Everything diff and drift print about the cases: stdout and stderr of each format."""
    tree = tmp_path_factory.mktemp("redaction") / "repo"
    shutil.copytree(ROOT, tree, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tools", ".cache", "__pycache__", ".pytest_cache", "*.egg-info"))
    for env in ("dev", "staging"):
        _add_cases(tree, env)
    def run(command: str, *args: str) -> tuple[int, str]:
        proc = subprocess.run([str(ROOT / "scripts" / command), *args], cwd=tree,
                              env=tool_env(cache_dir), capture_output=True, text=True,
                              timeout=900, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    printed = {}
    for output_format in ("text", "markdown", "json"):
        code, printed[f"diff {output_format}"] = run(
            "diff", "--from-env", "dev", "--to-env", "staging", "--app", APP,
            "--format", output_format)
        assert code == 1, printed
    live = tree / "live.yaml"
    staging = [{**obj, "metadata": {**obj["metadata"], "namespace": "marty-dev"}}
               for obj in _objects("staging")]
    live.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": staging}))
    for output_format in ("text", "markdown", "json"):
        code, printed[f"drift {output_format}"] = run(
            "drift", "--env", "dev", "--app", APP, "--live", str(live), "--format", output_format)
        assert code == 1, printed
    return tree, printed


@pytest.mark.parametrize("case", CASES)
def test_the_credential_is_never_printed(outputs, case):
    _, printed = outputs
    for where, text in printed.items():
        for env in ("dev", "staging"):
            assert f"Hunter2{case}{env}Zq" not in text, f"{where} prints the {case} credential"
    # ...and the change is still visible, as a marker.
    assert all("<redacted:" in text for text in printed.values())


def test_validation_flags_what_diff_redacts(outputs, run_cli):
    tree, _ = outputs
    result = run_cli("validate", "--format", "json", f"overlays/dev/{APP}", cwd=tree)
    flagged = {(f["resource"], f["rule"]) for f in result.json["findings"]
               if f["rule"].startswith("credentials.")}
    assert {rule for _, rule in flagged} == {
        "credentials.configmap", "credentials.env-literal", "credentials.inline"}, flagged
    assert "Hunter2" not in result.stdout + result.stderr


def test_identifiers_and_references_stay_readable():
    """Redaction hides credentials, not the names a reviewer needs (an alert, a secret's name)."""
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "certificates"},
            "spec": {"groups": [{"name": "certs", "rules": [
                {"alert": "CertManagerCertificateExpiringSoon", "expr": "up == 0"}]}]}}
    assert redact_object(rule) == rule
    token = {"kind": "ConfigMap", "data": {"note": "k8Zt3VqLw9XmR2pN7sYb4HcJ6fGd1QeA"}}
    assert "k8Zt3VqLw9XmR2pN7sYb4HcJ6fGd1QeA" not in str(redact_object(token))
