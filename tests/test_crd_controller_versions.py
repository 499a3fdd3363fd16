"""The carried CRD schemas belong to the pinned controller versions: schemas/crds/sources.yaml
records the controller and version each schema was taken for, and `scripts/validate` (check
generated) names the schemas to refresh when a controller is upgraded, and any carried kind no
platform controller serves."""
from __future__ import annotations

import pytest
import yaml

from harness import CRD_SCHEMAS, pinned_tool

pinned_tool("kustomize", module_level=True)

CONTROLLERS = "catalog/platform-controllers.yaml"


def _bump_cert_manager(repo) -> None:
    path = repo / CONTROLLERS
    text = path.read_text()
    old = "name: cert-manager, version: v1.16.2}\n    appVersion: v1.16.2\n"
    assert old in text
    path.write_text(text.replace(old, "name: cert-manager, version: v1.17.1}\n"
                                      "    appVersion: v1.17.1\n"))


def _findings(run_cli, repo, rule: str) -> list[dict]:
    outcome = run_cli("validate", "--format", "json", CONTROLLERS, cwd=repo)
    assert outcome.code in (0, 1), outcome.stderr
    return outcome.findings(check="generated", rule=rule)


def test_every_carried_schema_records_the_pinned_version_of_its_controller(run_cli, repo_copy):
    sources = yaml.safe_load((repo_copy / "schemas/crds/sources.yaml").read_text())["schemas"]
    assert all(entry.get("controller") and entry.get("version") for entry in sources.values())
    assert _findings(run_cli, repo_copy, "crd-version") == []
    assert _findings(run_cli, repo_copy, "crd-controller") == []


def test_an_upgraded_controller_names_the_schemas_to_refresh(run_cli, repo_copy):
    _bump_cert_manager(repo_copy)
    found = _findings(run_cli, repo_copy, "crd-version")
    assert sorted(f["file"] for f in found) == ["schemas/crds/cert-manager.io/certificate_v1.json",
                                                "schemas/crds/cert-manager.io/clusterissuer_v1.json"]
    assert all("taken for cert-manager v1.16.2, but cert-manager is pinned at v1.17.1"
               in f["message"] and "scripts/refresh-crd-schemas" in f["message"] for f in found)


def test_a_kind_no_controller_serves(run_cli, repo_copy):
    path = repo_copy / CONTROLLERS
    text = path.read_text()
    path.write_text(text.replace("    serves: [velero.io/Schedule]\n", ""))
    found = _findings(run_cli, repo_copy, "crd-controller")
    assert [f["file"] for f in found] == ["schemas/crds/velero.io/schedule_v1.json"]


@pytest.mark.shared
def test_refreshing_records_the_new_version(run_cli, repo_copy):
    _bump_cert_manager(repo_copy)
    refresh = run_cli("refresh-crd-schemas", "--from", str(CRD_SCHEMAS),
                      "--source", "datreeio/CRDs-catalog@7b1e26ef", cwd=repo_copy)
    assert refresh.code == 0, refresh.stderr
    sources = yaml.safe_load((repo_copy / "schemas/crds/sources.yaml").read_text())["schemas"]
    assert sources["cert-manager.io/certificate_v1.json"]["version"] == "v1.17.1"
    assert _findings(run_cli, repo_copy, "crd-version") == []
