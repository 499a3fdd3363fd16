"""Engine behaviour that needs no particular fixture: collect, don't abort."""
from __future__ import annotations

from harness import ROOT, tool_env

from marty_platform import checks
from marty_platform.context import Options
from marty_platform.engine import run_validation
from marty_platform.repo import Repo


def test_a_failing_check_becomes_a_finding_and_the_run_goes_on(monkeypatch, cache_dir):
    for name, value in tool_env(cache_dir).items():
        monkeypatch.setenv(name, value)

    def broken(ctx, batch):
        raise KeyError("spec")

    monkeypatch.setattr(checks, "MANIFEST_CHECKS", [*checks.MANIFEST_CHECKS, broken])
    report = run_validation(Repo(ROOT), Options(
        paths=(ROOT / "tests" / "fixtures" / "broken" / "manifests" / "wrong-type.yaml",)))
    internal = [f for f in report.findings if f.rule == "internal-error"]
    assert internal and "KeyError" in internal[0].message
    # The real checks still ran and reported.
    assert any(f.check == "kubeconform" and f.rule == "schema" for f in report.findings)
    assert not report.ok


def test_configuration_reference_lists_every_schema_field():
    from marty_platform.generators.schema_docs import render

    schema = ROOT / "schemas" / "env-config.schema.json"
    text = render([schema])
    for field in ("`kubernetesVersion`", "`strictness.missingSchema`",
                  "`podSecurity.namespaces`"):
        assert field in text
    assert "overlays/\\<env>/env.yaml" in text


def test_render_cache_forgets_old_entries(tmp_path):
    import os
    import time

    from marty_platform.render import Renderer

    renderer = Renderer(Repo(ROOT), toolbox=None, cache_dir=tmp_path, fingerprint="x")
    renderer.cache_dir.mkdir(parents=True)
    old, fresh = renderer.cache_dir / "old.json", renderer.cache_dir / "fresh.json"
    for path in (old, fresh):
        path.write_text("[]")
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    renderer.prune()
    assert not old.exists() and fresh.exists()


def test_the_report_order_depends_only_on_the_findings():
    """Cached results come back before fresh ones: two findings that differ only in the object
    they name must be reported in the same order whichever arrived first."""
    from marty_platform.engine import _dedupe
    from marty_platform.model import finding

    job, deployment = (finding("policy", "images.digest-pinned", f"{kind} is not pinned",
                               file="overlays/dev/a/kustomization.yaml", env="dev",
                               resource=f"{kind}/marty-dev/a") for kind in ("Job", "Deployment"))
    assert _dedupe([job, deployment]) == _dedupe([deployment, job])
