"""Generated files are fresh and the GitOps wiring matches the overlays."""
from __future__ import annotations

import shutil

from content_helpers import ROOT

from marty_platform import catalog, chartdocs
from marty_platform.checks import gitops


def test_generated_files_are_fresh(run_cli):
    outcome = run_cli("generate", "--check")
    assert outcome.code == 0, outcome.stdout + outcome.stderr


def test_a_new_catalog_service_is_scaffolded_and_flagged_until_generated(tmp_path):
    for part in ("catalog", "overlays"):
        shutil.copytree(ROOT / part, tmp_path / part)
    (tmp_path / "catalog" / "services.yaml").write_text(
        (ROOT / "catalog" / "services.yaml").read_text() + """  - name: vds-engine
    description: Issues visible digital seals.
    protocol: grpc
    port: 8091
    team: credentials
    database: false
    dependencies: [document-signer]
""")
    missing = catalog.missing_overlays(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in missing} == {
        f"overlays/{env}/vds-engine/kustomization.yaml" for env in ("dev", "staging", "prod")}
    created = catalog.scaffold(tmp_path)
    assert created == missing and catalog.missing_overlays(tmp_path) == []
    assert "vds-engine" in (tmp_path / "overlays" / "prod" / "vds-engine" /
                            "kustomization.yaml").read_text()


def test_services_doc_lists_every_service():
    text = (ROOT / "docs" / "services.md").read_text()
    for svc in catalog.load(ROOT):
        assert f"`{svc.name}` | {svc.port} | {svc.protocol}" in text


def test_every_chart_value_is_documented():
    for chart in chartdocs.charts(ROOT):
        assert chartdocs.undocumented(chart) == [], chart


def test_gitops_wiring_is_consistent():
    result = gitops.check_root(ROOT)
    assert result.findings == []
    assert result.stats.checked > 0


def _copy(tmp_path):
    for part in ("overlays", "gitops"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def test_gitops_finds_orphan_overlay(tmp_path):
    root = _copy(tmp_path)
    orphan = root / "overlays" / "dev" / "orphan"
    orphan.mkdir()
    (orphan / "kustomization.yaml").write_text("resources: []\n")
    findings = gitops.check_root(root).findings
    rules = {(f.rule, f.file) for f in findings}
    # The ApplicationSet's overlays/dev/* generator picks it up; no Flux Kustomization does.
    assert ("flux-orphan", "overlays/dev/orphan/kustomization.yaml") in rules
    assert not any(f.rule == "argocd-orphan" for f in findings)


def test_gitops_finds_dangling_path_and_duplicates(tmp_path):
    root = _copy(tmp_path)
    shutil.rmtree(root / "overlays" / "staging" / "csca-service")
    extra = root / "gitops" / "argocd" / "staging" / "extra.yaml"
    extra.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: dup\n"
        "spec:\n  project: marty-staging-services\n  source:\n"
        "    path: overlays/staging/trust-anchor\n")
    findings = gitops.check_root(root).findings
    dangling = [f for f in findings if f.rule == "dangling-path"]
    assert dangling and dangling[0].file == "gitops/flux/staging/kustomizations.yaml"
    assert dangling[0].line and dangling[0].line > 1
    dup = [f for f in findings if f.rule == "argocd-duplicate"]
    assert len(dup) == 1 and "trust-anchor" in dup[0].message


def test_chart_readme_has_exactly_one_generated_values_table():
    from marty_platform.chartdocs import BEGIN, END

    for chart in chartdocs.charts(ROOT):
        text = (chart / "README.md").read_text()
        assert text.count(BEGIN) == 1 and text.count(END) == 1, chart


def test_a_new_overlay_gets_the_components_its_env_config_names(tmp_path):
    for part in ("catalog", "overlays"):
        shutil.copytree(ROOT / part, tmp_path / part)
    dev, staging = (tmp_path / "overlays" / env / "env.yaml" for env in ("dev", "staging"))
    dev.write_text(dev.read_text().replace("scaffold:\n  components: [debug-logging, small-resources]\n",
                                           ""))
    staging.write_text(staging.read_text() + "scaffold:\n  components: [small-resources]\n")
    shutil.rmtree(tmp_path / "overlays" / "dev" / "trust-anchor")
    shutil.rmtree(tmp_path / "overlays" / "staging" / "trust-anchor")
    catalog.scaffold(tmp_path)

    def components(env: str) -> list[str]:
        text = (tmp_path / "overlays" / env / "trust-anchor" / "kustomization.yaml").read_text()
        return [line.split("/")[-1] for line in text.splitlines()
                if "base/components/" in line]

    assert components("dev") == ["mesh-sidecar"]
    assert components("staging") == ["mesh-sidecar", "small-resources"]
