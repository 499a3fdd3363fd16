"""gitleaks in scripts/validate: planted secrets are found with their file and line, in the working
tree and in rendered objects, and no output format ever prints one."""
from __future__ import annotations

import pytest

from harness import pinned_tool
from planted import (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, DATABASE_PASSWORD, GITHUB_TOKEN,
                     OPENBAO_TOKEN, PRIVATE_KEY, leaked)

FORMATS = ("text", "json", "markdown", "github", "sarif", "junit")
CONFIGMAP = "base/services/trust-anchor/leak-configmap.yaml"
MARKDOWN = "docs/leak.md"
WORKFLOW = ".github/workflows/leak.yaml"
PLATFORM = "config/leak.yaml"


@pytest.fixture(scope="module", autouse=True)
def _gitleaks():
    pinned_tool("gitleaks")


def _plant(repo):
    (repo / CONFIGMAP).write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n"
        f"  AWS_ACCESS_KEY_ID: {AWS_ACCESS_KEY_ID}\n"
        f"  AWS_SECRET_ACCESS_KEY: {AWS_SECRET_ACCESS_KEY}\n")
    (repo / MARKDOWN).write_text(f"# Notes\n\nThe signing key:\n\n```\n{PRIVATE_KEY}\n```\n")
    (repo / WORKFLOW).write_text(
        "name: leak\non: push\npermissions: {}\njobs:\n  leak:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo hi\n        env:\n"
        f"          GH_TOKEN: {GITHUB_TOKEN}\n")
    (repo / PLATFORM).write_text(
        f"database: postgresql://app:{DATABASE_PASSWORD}@postgres.marty-dev.svc:5432/app\n"
        f"openbao: {OPENBAO_TOKEN}\n")
    return (CONFIGMAP, MARKDOWN, WORKFLOW, PLATFORM)


def test_planted_secrets_are_found_at_their_file_and_line(run_cli, repo_copy):
    paths = _plant(repo_copy)
    outcome = run_cli("validate", "--format", "json", *paths, cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    found = {(f["file"], f["line"], f["rule"]) for f in outcome.findings(check="secrets")}
    assert (CONFIGMAP, 6, "gitleaks/aws-access-token") in found, found
    assert (MARKDOWN, 6, "gitleaks/private-key") in found, found
    assert (WORKFLOW, 10, "gitleaks/github-pat") in found, found
    # The platform's own credentials, which gitleaks's default rules miss.
    assert (PLATFORM, 1, "gitleaks/marty-connection-string-password") in found, found
    assert (PLATFORM, 2, "gitleaks/marty-openbao-token") in found, found


def test_no_output_format_prints_a_planted_secret(run_cli, repo_copy):
    paths = _plant(repo_copy)
    for output_format in FORMATS:
        outcome = run_cli("validate", "--format", output_format, *paths, cwd=repo_copy)
        assert outcome.code == 1, outcome.stdout + outcome.stderr
        assert "gitleaks/" in outcome.stdout, output_format
        assert not leaked(outcome.stdout + outcome.stderr), output_format


def test_a_secret_arriving_through_a_generator_is_found_in_the_rendered_object(run_cli,
                                                                               repo_copy):
    """The overlay's files are not scanned in overlay mode: only the rendered ConfigMap can
    carry the finding, located at the kustomization that generated it."""
    kustomization = repo_copy / "overlays/dev/trust-anchor/kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + (
        "configMapGenerator:\n  - name: cloud\n    literals:\n"
        f"      - AWS_ACCESS_KEY_ID={AWS_ACCESS_KEY_ID}\n"
        f"      - AWS_SECRET_ACCESS_KEY={AWS_SECRET_ACCESS_KEY}\n"))
    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    rendered = [f for f in outcome.findings(check="secrets", env="dev")
                if f["rule"] == "gitleaks/aws-access-token"]
    assert rendered, outcome.stdout
    assert rendered[0]["resource"].startswith("ConfigMap/marty-dev/cloud")
    assert rendered[0]["file"].startswith("overlays/dev/trust-anchor/")
    assert not leaked(outcome.stdout + outcome.stderr)


def test_an_inline_allow_comment_or_ignore_file_does_not_hide_a_secret(run_cli, repo_copy):
    (repo_copy / MARKDOWN).write_text(f"token: {GITHUB_TOKEN} # gitleaks:allow\n")
    (repo_copy / ".gitleaksignore").write_text("docs/leak.md:github-pat:1\n")
    (repo_copy / "docs/.gitleaks.toml").write_text("[allowlist]\npaths = ['''.*''']\n")
    outcome = run_cli("validate", "--format", "json", MARKDOWN, cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.findings(check="secrets", file=MARKDOWN, line=1, rule="gitleaks/github-pat")


def test_a_scanner_waiver_needs_the_exact_file_and_turns_the_finding_to_info(run_cli, repo_copy):
    (repo_copy / MARKDOWN).write_text(f"token: {GITHUB_TOKEN}\n")
    exceptions = repo_copy / "policies/exceptions.yaml"
    exceptions.write_text(exceptions.read_text() + (
        "  - rule: gitleaks/github-pat\n    file: docs/leak.md\n"
        "    justification: a revoked token kept to document the incident\n"
        "    owner: platform-security\n    expires: 2099-01-01\n"))
    outcome = run_cli("validate", "--format", "json", MARKDOWN, cwd=repo_copy)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    [waived] = outcome.findings(check="secrets", file=MARKDOWN)
    assert waived["severity"] == "info" and "waived until 2099-01-01" in waived["message"]
    (repo_copy / "docs/other.md").write_text(f"token: {GITHUB_TOKEN}\n")
    outcome = run_cli("validate", "--format", "json", "docs/other.md", cwd=repo_copy)
    assert outcome.code == 1
    assert outcome.findings(check="secrets", file="docs/other.md", severity="error")
