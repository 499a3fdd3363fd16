"""terraform-lock: a lock file that is present is in a root, pinned to the exact required
versions, hashed for every platform the workflow locks, and not ignored by git."""
from __future__ import annotations

from pathlib import Path

import pytest

PLATFORMS = 4
H1 = [f'    "h1:{chr(65 + i) * 43}=",\n' for i in range(PLATFORMS)]
ZH = '    "zh:' + "0" * 64 + '",\n'


def _provider(address: str, version: str, hashes: list[str]) -> str:
    return (f'provider "{address}" {{\n  version     = "{version}"\n'
            f'  constraints = "{version}"\n  hashes = [\n{"".join(hashes)}  ]\n}}\n\n')


def _lock(aws: str = "5.82.2", hashes: list[str] | None = None, extra: str = "") -> str:
    hashes = [*H1, ZH] if hashes is None else hashes
    return ("# This file is maintained automatically by \"terraform init\".\n\n"
            + _provider("registry.terraform.io/hashicorp/aws", aws, hashes)
            + _provider("registry.terraform.io/hashicorp/tls", "4.0.6", [*H1, ZH]) + extra)


def _validate(run_cli, repo: Path):
    return run_cli("validate", "--format", "json", "terraform/", ".gitignore", cwd=repo)


def test_a_complete_lock_file_passes(run_cli, repo_copy):
    (repo_copy / "terraform/envs/dev/.terraform.lock.hcl").write_text(_lock())
    outcome = _validate(run_cli, repo_copy)
    assert outcome.findings(check="terraform-lock") == [], outcome.stdout
    assert outcome.json["stats"]["checks"]["terraform-lock"]["checked"] == 1


@pytest.mark.parametrize("text, rule, line", [
    (_lock(aws="5.80.0"), "pin", 4),
    (_lock(hashes=[H1[0], ZH]), "hashes", 6),
    (_lock(hashes=H1), "hashes", 6),
    (_lock(extra=_provider("registry.terraform.io/hashicorp/random", "3.6.0", [*H1, ZH])), "pin", 27),
    ('provider "registry.terraform.io/hashicorp/aws" {\n  version = \n}\n', "syntax", 2),
], ids=["other-version", "one-platform", "no-zh", "not-required", "bad-hcl"])
def test_a_lock_file_that_does_not_pin_is_a_finding(run_cli, repo_copy, text, rule, line):
    (repo_copy / "terraform/envs/prod/.terraform.lock.hcl").write_text(text)
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="terraform-lock", rule=rule)
    assert [(f["file"], f["line"]) for f in found][:1] == [
        ("terraform/envs/prod/.terraform.lock.hcl", line)], outcome.stdout
    assert outcome.code == 1


def test_a_missing_provider_is_a_finding(run_cli, repo_copy):
    lock = _lock()
    (repo_copy / "terraform/envs/dev/.terraform.lock.hcl").write_text(
        lock[:lock.index('provider "registry.terraform.io/hashicorp/tls"')])
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="terraform-lock", rule="pin")
    assert [f["message"] for f in found] == ["hashicorp/tls 4.0.6 is required but not locked"]


def test_a_lock_file_in_a_module_is_a_finding(run_cli, repo_copy):
    (repo_copy / "terraform/modules/network/.terraform.lock.hcl").write_text(_lock())
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="terraform-lock", rule="location")
    assert [f["file"] for f in found] == ["terraform/modules/network/.terraform.lock.hcl"]


@pytest.mark.parametrize("pattern", [".terraform.lock.hcl", "*.hcl", "/terraform/**/*.lock.hcl"])
def test_ignoring_lock_files_is_a_finding(run_cli, repo_copy, pattern):
    ignore = repo_copy / ".gitignore"
    lines = ignore.read_text().splitlines()
    ignore.write_text("\n".join([*lines, pattern]) + "\n")
    outcome = _validate(run_cli, repo_copy)
    found = outcome.findings(check="terraform-lock", rule="ignored")
    assert [(f["file"], f["line"]) for f in found] == [(".gitignore", len(lines) + 1)], outcome.stdout
