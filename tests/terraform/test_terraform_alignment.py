"""terraform-alignment: Terraform agrees with the GitOps side (EKS version, IRSA roles, one data
tier), driven through scripts/validate on copies of the repo with the real tools."""
from __future__ import annotations

from pathlib import Path

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


def _set(path: Path, old: str, new: str) -> int:
    """Replace `old` once; the 1-based line where it was."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new))
    return text[:text.index(old)].count("\n") + 1


def _annotate_service_account(repo: Path, app: str, arn: str) -> None:
    _set(repo / f"overlays/dev/{app}/kustomization.yaml", "    valuesInline:\n",
         f"    valuesInline:\n      serviceAccount:\n        annotations:\n"
         f"          {ROLE_ANNOTATION}: {arn}\n")


def _irsa(repo: Path, entries: str) -> int:
    return _set(repo / "terraform/envs/dev/main.tf", "  irsa_service_accounts = {}",
                f"  irsa_service_accounts = {{\n{entries}  }}")


def test_committed_tree_is_aligned(run_cli):
    outcome = run_cli("validate", "--format", "json", "overlays/dev/", "terraform/")
    assert outcome.findings(check="terraform-alignment") == [], outcome.stdout
    assert outcome.json["stats"]["checks"]["terraform-alignment"]["checked"] > 0


def test_misaligned_terraform_is_reported(run_cli, repo_copy):
    main = repo_copy / "terraform/envs/dev/main.tf"
    version_line = _set(main, 'kubernetes_version = "1.34"', 'kubernetes_version = "1.31"')
    # A role Terraform creates for a service account dev does not render...
    irsa_line = _irsa(repo_copy, '    velero = { namespace = "velero", name = "velero" }\n')
    # ...and a rendered service account naming a role Terraform does not create.
    _annotate_service_account(repo_copy, "pkd-service",
                              "arn:aws:iam::111122223333:role/marty-dev-pkd-service")
    # A managed Kafka next to the Strimzi cluster the env runs.
    storage = repo_copy / "terraform/modules/storage/main.tf"
    storage.write_text(storage.read_text() + '\nresource "aws_msk_cluster" "kafka" {\n'
                       '  cluster_name = "x"\n}\n')
    outcome = run_cli("validate", "--format", "json", "overlays/dev/", "terraform/",
                      cwd=repo_copy)
    found = {(f["rule"], f["file"], f["line"]) for f in
             outcome.findings(check="terraform-alignment", env="dev")}
    assert ("kubernetes-version", "terraform/envs/dev/main.tf", version_line) in found, outcome.stdout
    assert ("irsa-role-unused", "terraform/envs/dev/main.tf", irsa_line) in found, outcome.stdout
    assert ("data-tier-twice", "terraform/envs/dev/main.tf", None) in found, outcome.stdout
    missing = outcome.findings(check="terraform-alignment", rule="irsa-role-missing")
    assert [f["resource"] for f in missing] == ["ServiceAccount/marty-dev/pkd-service"], outcome.stdout
    assert missing[0]["file"].startswith("overlays/dev/pkd-service/"), missing
    assert outcome.code == 1


def test_role_created_for_the_annotated_service_account_is_aligned(run_cli, repo_copy):
    _irsa(repo_copy, '    velero = { namespace = "marty-dev", name = "pkd-service" }\n')
    _annotate_service_account(repo_copy, "pkd-service",
                              "arn:aws:iam::111122223333:role/marty-dev-velero")
    outcome = run_cli("validate", "--format", "json", "overlays/dev/", "terraform/",
                      cwd=repo_copy)
    assert outcome.findings(check="terraform-alignment") == [], outcome.stdout


def test_role_for_another_service_account_is_reported(run_cli, repo_copy):
    _irsa(repo_copy, '    velero = { namespace = "marty-dev", name = "ui-app" }\n')
    _annotate_service_account(repo_copy, "pkd-service",
                              "arn:aws:iam::111122223333:role/marty-dev-velero")
    outcome = run_cli("validate", "--format", "json", "overlays/dev/", "terraform/",
                      cwd=repo_copy)
    rules = sorted(f["rule"] for f in outcome.findings(check="terraform-alignment"))
    assert rules == ["irsa-role-missing", "irsa-role-unused"], outcome.stdout


def test_env_root_that_does_not_parse_is_a_finding(run_cli, repo_copy):
    (repo_copy / "terraform/envs/dev/extra.tf").write_text('locals {\n  x = \n}\n')
    outcome = run_cli("validate", "--format", "json", "terraform/", cwd=repo_copy)
    assert "Traceback" not in outcome.stderr
    found = outcome.findings(check="terraform-alignment", rule="parse")
    assert [(f["file"], f["line"]) for f in found] == [("terraform/envs/dev/extra.tf", 2)], \
        outcome.stdout


def test_tf_symlink_out_of_the_repo_is_not_read(run_cli, repo_copy, tmp_path):
    outside = tmp_path / "outside.tf"
    outside.write_text('locals {\n  canary_outside_repo = \n}\n')
    (repo_copy / "terraform/envs/dev/linked.tf").symlink_to(outside)
    outcome = run_cli("validate", "--format", "json", "terraform/", cwd=repo_copy)
    assert "canary_outside_repo" not in outcome.stdout + outcome.stderr
    assert outcome.findings(check="terraform-alignment", rule="parse") == [], outcome.stdout
    assert [f["file"] for f in outcome.findings(check="tflint", rule="outside-repo")] == [
        "terraform/envs/dev/linked.tf"], outcome.stdout
