"""checkov in scripts/validate, and its overlap with the Rego policies: a public S3 bucket is
reported once, by the policy, at the resource's line; checkov's own findings carry file and line
and an inline checkov:skip comment does not hide them."""
from __future__ import annotations

import pytest

from harness import pinned_tool

MODULE = "terraform/modules/storage/public.tf"
PUBLIC_BUCKET = '''resource "aws_s3_bucket" "exports" {
  bucket = "marty-exports"
  tags   = { Name = "marty-exports" }
}

resource "aws_s3_bucket_acl" "exports" {
  bucket = aws_s3_bucket.exports.id
  acl    = "public-read"
}
'''


@pytest.fixture(scope="module", autouse=True)
def _checkov():
    pinned_tool("checkov")


def test_a_public_bucket_is_reported_once_with_its_file_and_line(run_cli, repo_copy):
    (repo_copy / MODULE).write_text(PUBLIC_BUCKET)
    outcome = run_cli("validate", "--format", "json", MODULE, cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    public = outcome.findings(rule="terraform.no-public-bucket", file=MODULE)
    assert {f["line"] for f in public} == {6}, public
    # checkov's public-ACL checks are the policy's concern: not reported a second time.
    duplicates = {f["rule"] for f in outcome.findings(check="iac-security", file=MODULE)}
    assert not duplicates & {"checkov/CKV_AWS_20", "checkov/CKV_AWS_57"}, duplicates
    # checkov's own concerns about the new bucket are reported at its line.
    logging = outcome.findings(rule="checkov/CKV_AWS_18", file=MODULE)
    assert logging and logging[0]["line"] == 1, outcome.stdout


def test_an_inline_checkov_skip_does_not_hide_a_finding(run_cli, repo_copy):
    (repo_copy / MODULE).write_text(PUBLIC_BUCKET.replace(
        '  bucket = "marty-exports"\n',
        '  #checkov:skip=CKV_AWS_18:not needed\n  bucket = "marty-exports"\n'))
    outcome = run_cli("validate", "--format", "json", MODULE, cwd=repo_copy)
    # One finding per module call that reaches the bucket (the module's example, the platform).
    logging = outcome.findings(rule="checkov/CKV_AWS_18", file=MODULE)
    assert logging, outcome.stdout
    assert all(f["severity"] == "error" and "does not waive it" in f["message"] for f in logging)


def test_an_expired_acceptance_runs_the_check_again(run_cli, repo_copy):
    outcome = run_cli("validate", "--format", "json", "--today", "2099-01-01", "--env", "prod",
                      "overlays/prod/trust-anchor", cwd=repo_copy)
    assert outcome.findings(rule="checkov/CKV_K8S_35", env="prod"), outcome.stdout


def test_an_inline_checkov_skip_on_a_rendered_object_does_not_hide_a_finding(run_cli, repo_copy):
    overlay = repo_copy / "overlays/prod/trust-anchor/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace(
        "namespace: marty-prod\n",
        "namespace: marty-prod\ncommonAnnotations:\n"
        "  checkov.io/skip1: CKV_K8S_22=the root filesystem is the chart's concern\n", 1))
    outcome = run_cli("validate", "--format", "json", "--env", "prod",
                      "overlays/prod/trust-anchor", cwd=repo_copy)
    skipped = outcome.findings(rule="checkov/CKV_K8S_22", env="prod")
    assert any(f["resource"].startswith("Job/marty-prod/trust-anchor") for f in skipped), outcome.stdout
    assert all(f["severity"] == "error" and "does not waive it" in f["message"] and f["file"]
               for f in skipped)
