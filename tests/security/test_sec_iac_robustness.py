"""checkov never turns a pull request's input into a crash of the run: an object checkov itself
crashes on is reported as unscannable at its file (the other objects are still scanned), and
a config/checkov.yaml of the wrong shape is one usage line naming it."""
from __future__ import annotations

import pytest

from harness import pinned_tool

GOOD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: marty-dev
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
"""
# checkov 3.3.30 ends with AttributeError: 'str' object has no attribute 'keys'.
CRASHES_CHECKOV = """apiVersion: apps/v1
kind: Deployment
metadata: "a string where a mapping belongs"
"""


@pytest.fixture(scope="module", autouse=True)
def _checkov():
    pinned_tool("checkov")


def test_an_object_checkov_crashes_on_is_reported_and_the_others_are_scanned(run_cli, tmp_path):
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    (manifests / "b-crashes-checkov.yaml").write_text(CRASHES_CHECKOV, encoding="utf-8")
    (manifests / "c-good.yaml").write_text(GOOD.replace("web", "api"), encoding="utf-8")

    outcome = run_cli("validate", "--format", "json", str(manifests))

    assert outcome.code == 1, outcome.stderr
    assert "Traceback" not in outcome.stdout + outcome.stderr
    unscannable = outcome.findings(rule="unscannable", check="iac-security")
    assert [f["file"] for f in unscannable] == [str(manifests / "b-crashes-checkov.yaml")], \
        outcome.stdout
    assert "AttributeError" in unscannable[0]["message"]
    assert "has no attribute" not in unscannable[0]["message"]  # nothing quoted from the file
    scanned = {f["file"] for f in outcome.findings(check="iac-security")
               if f["rule"].startswith("checkov/")}
    assert {str(manifests / "a-good.yaml"), str(manifests / "c-good.yaml")} <= scanned, scanned


@pytest.mark.parametrize("config,expected", [
    pytest.param("accepted:\n  CKV_K8S_35:\n    reason: r\n    owner: o\n    expires: soon\n",
                 "accepted.CKV_K8S_35", id="expires-not-a-date"),
    pytest.param("accepted:\n  CKV_K8S_35: yes\n", "accepted.CKV_K8S_35", id="entry-not-mapping"),
    pytest.param("accepted:\n  CKV_K8S_35:\n    expires: 2030-01-01\n", "accepted.CKV_K8S_35",
                 id="no-reason-or-owner"),
    pytest.param("covered-by-policy: [CKV_K8S_8]\n", "covered-by-policy", id="list"),
    pytest.param("- just\n- a list\n", "covered-by-policy", id="top-level-list"),
    pytest.param("covered-by-policy: {CKV_K8S_8: a, CKV_K8S_8: b}\n", "config/checkov.yaml:1",
                 id="duplicate-key"),
])
def test_a_checkov_config_of_the_wrong_shape_is_one_usage_line(run_cli, repo_copy, config,
                                                               expected):
    (repo_copy / "config" / "checkov.yaml").write_text(config, encoding="utf-8")
    outcome = run_cli("validate", "terraform/modules/storage", cwd=repo_copy)
    assert outcome.code == 2, outcome.stdout[-2000:] + outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "config/checkov.yaml" in lines[0] and expected in lines[0], \
        outcome.stderr


def test_a_covered_check_naming_no_policy_rule_is_reported_and_still_run(run_cli, repo_copy,
                                                                         tmp_path):
    config = repo_copy / "config" / "checkov.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  CKV_K8S_8: probes.liveness-required\n" in text
    config.write_text(text.replace("  CKV_K8S_8: probes.liveness-required\n",
                                   "  CKV_K8S_8: probes.made-up\n"), encoding="utf-8")
    line = text.splitlines().index("  CKV_K8S_8: probes.liveness-required") + 1
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "web.yaml").write_text(GOOD, encoding="utf-8")  # no liveness probe

    outcome = run_cli("validate", "--format", "json", "terraform/modules/storage",
                      str(manifests), cwd=repo_copy)

    assert outcome.code == 1, outcome.stderr
    unknown = outcome.findings(rule="unknown-policy-rule", check="iac-security")
    assert [(f["file"], f["line"]) for f in unknown] == [("config/checkov.yaml", line)], unknown
    assert "probes.made-up" in unknown[0]["message"]
    assert outcome.findings(rule="checkov/CKV_K8S_8", check="iac-security"), \
        "checkov skipped a check no policy keeps"
