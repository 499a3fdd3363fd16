"""A finding about a field a kustomize patch set points at the patch and the field's line in it."""
from __future__ import annotations

OVERLAY = "overlays/dev/trust-anchor"


def _add_patch(repo, entry: str, name: str = "", text: str = "") -> None:
    """List a patch under the dev trust-anchor overlay's `patches` (writing its file if named)."""
    overlay = repo / OVERLAY
    if name:
        (overlay / name).write_text(text)
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "patches:\n" + entry)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


PRIVILEGED = """\
# Debugging aid: never merge.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trust-anchor
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext:
            privileged: true
"""


def test_policy_finding_points_at_the_patch_line(run_cli, repo_copy):
    _add_patch(repo_copy, "  - path: privileged.yaml\n", "privileged.yaml", PRIVILEGED)
    outcome = run_cli("validate", "--format", "json", OVERLAY, cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = outcome.findings(check="policy", rule="pss.baseline.privileged-containers")
    assert item["file"] == f"{OVERLAY}/privileged.yaml"
    assert item["line"] == _line_of(PRIVILEGED, "privileged: true")


def test_schema_finding_points_at_the_misspelt_field_in_the_patch(run_cli, repo_copy):
    text = PRIVILEGED.replace("privileged: true", "readOnlyRootFilesytem: true")
    _add_patch(repo_copy, "  - path: read-only.yaml\n", "read-only.yaml", text)
    outcome = run_cli("validate", "--format", "json", OVERLAY, cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    [item] = [f for f in outcome.findings(check="kubeconform", rule="schema")
              if "readOnlyRootFilesytem" in f["message"]]
    assert item["file"] == f"{OVERLAY}/read-only.yaml"
    assert item["line"] == _line_of(text, "readOnlyRootFilesytem")


def test_inline_json_patch_points_into_the_kustomization(run_cli, repo_copy):
    entry = ("  - target: {kind: Deployment, name: trust-anchor}\n"
             "    patch: |-\n"
             "      - op: add\n"
             "        path: /spec/template/spec/containers/0/securityContext/privileged\n"
             "        value: true\n")
    _add_patch(repo_copy, entry)
    outcome = run_cli("validate", "--format", "json", OVERLAY, cwd=repo_copy)
    [item] = outcome.findings(check="policy", rule="pss.baseline.privileged-containers")
    kustomization = (repo_copy / OVERLAY / "kustomization.yaml").read_text()
    assert item["file"] == f"{OVERLAY}/kustomization.yaml"
    assert item["line"] == _line_of(kustomization, "- op: add")


def test_a_patched_field_no_patch_accounts_for_is_said_to_be_lost(tmp_path):
    """kustomize recorded that the overlay patched the object, the field is not in the base file
    and no patch there sets it: the location names the base file and says the origin is lost."""
    from marty_platform.model import ManifestObject
    from marty_platform.patch_locations import locate_field

    (tmp_path / "base.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [base.yaml]\npatches:\n  - target: {kind: ConfigMap}\n    patch: |-\n"
        "      - {op: add, path: /data/b, value: '2'}\n")
    obj = ManifestObject(env="dev", source=".", file="base.yaml", line=1,
                         data={"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "settings"},
                               "data": {"a": "1", "b": "2", "c": "3"}},
                         patched_in=("kustomization.yaml",))
    found = locate_field(obj, tmp_path, "/data/b")
    assert (found.file, found.line, found.note) == ("kustomization.yaml", 5, "")
    lost = locate_field(obj, tmp_path, "/data/c")
    assert lost.file == "base.yaml" and lost.line == 5  # the nearest parent, `data:`
    assert "kustomize does not record which patch set it" in lost.note
    assert "kustomization.yaml" in lost.note
