"""More ways a pull request could make validation read outside the repo, crash or print a secret:
each drives the real commands on a copy of the tree and asserts the boundary holds.
"""
from __future__ import annotations

import io
import json
import tarfile
import uuid
from pathlib import Path

import pytest

from harness import TOOLS_BIN

if not (TOOLS_BIN / "kustomize").is_file():
    pytest.skip("the pinned tools are not installed; run `make bootstrap`", allow_module_level=True)

CHART = Path("charts") / "microservice"
CHART_APP = "ui-app"  # a dev overlay that inflates charts/microservice


@pytest.fixture
def host_schema(tmp_path) -> tuple[Path, str]:
    """A JSON schema outside the repo whose only content is a unique word: if helm ever loads it,
    the values fail it and helm's message quotes the word."""
    secret = f"canary-{uuid.uuid4().hex}"
    path = tmp_path / "outside" / "canary.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"required": [secret]}), encoding="utf-8")
    return path, secret


def _render(run_cli, repo: Path, app: str = CHART_APP):
    return run_cli("render", "--env", "dev", "--app", app, cwd=repo)


def _subchart_files(reference: str) -> dict[str, bytes]:
    """A subchart `probe` whose values schema refers to `reference` (values given, so helm
    validates them against it)."""
    return {"probe/Chart.yaml": b"apiVersion: v2\nname: probe\nversion: 0.1.0\n",
            "probe/values.yaml": b"enabled: true\n",
            "probe/values.schema.json": json.dumps({"$ref": reference}).encode()}


def _tgz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# --- what helm loads from a chart ----------------------------------------------------------------
def test_a_packaged_subchart_cannot_make_helm_read_a_host_file(run_cli, repo_copy, host_schema):
    path, secret = host_schema
    packaged = repo_copy / CHART / "charts" / "probe-0.1.0.tgz"
    packaged.parent.mkdir()
    packaged.write_bytes(_tgz(_subchart_files(path.as_uri())))
    render = _render(run_cli, repo_copy)
    assert secret not in render.stdout + render.stderr
    assert render.code == 1, render
    assert "charts/microservice/charts/probe-0.1.0.tgz: error: probe/values.schema.json: $ref" \
        in render.stderr and "[kustomize/schema-reference]" in render.stderr, render


def test_a_packaged_chart_nested_in_a_packaged_chart_is_read_too(run_cli, repo_copy, host_schema):
    path, secret = host_schema
    inner = _tgz(_subchart_files(path.as_uri()))
    outer = _tgz({"wrapper/Chart.yaml": b"apiVersion: v2\nname: wrapper\nversion: 0.1.0\n",
                  "wrapper/charts/probe-0.1.0.tgz": inner})
    packaged = repo_copy / CHART / "charts" / "wrapper-0.1.0.tgz"
    packaged.parent.mkdir()
    packaged.write_bytes(outer)
    render = _render(run_cli, repo_copy)
    assert secret not in render.stdout + render.stderr
    assert render.code == 1, render
    assert "wrapper/charts/probe-0.1.0.tgz/probe/values.schema.json: $ref" in render.stderr, render


def test_a_packaged_chart_that_cannot_be_read_is_refused(run_cli, repo_copy):
    packaged = repo_copy / CHART / "charts" / "probe-0.1.0.tgz"
    packaged.parent.mkdir()
    packaged.write_bytes(b"\x1f\x8b not really gzip")
    render = _render(run_cli, repo_copy)
    assert render.code == 1, render
    assert "charts/microservice/charts/probe-0.1.0.tgz: error: packaged chart" in render.stderr
    assert "Traceback" not in render.stderr and "internal error" not in render.stderr


def test_a_link_named_values_schema_is_a_schema(run_cli, repo_copy, host_schema):
    """helm names a file by its name in the chart, not by what a symlink's target is called."""
    path, secret = host_schema
    (repo_copy / "docs" / "probe-schema.json").write_text(
        json.dumps({"$ref": path.as_uri()}), encoding="utf-8")
    subchart = repo_copy / CHART / "charts" / "probe"
    subchart.mkdir(parents=True)
    for name, data in _subchart_files("#").items():
        if not name.endswith("values.schema.json"):
            (subchart / Path(name).name).write_bytes(data)
    (subchart / "values.schema.json").symlink_to(Path("../../../../docs/probe-schema.json"))
    render = _render(run_cli, repo_copy)
    assert secret not in render.stdout + render.stderr
    assert render.code == 1, render
    assert "docs/probe-schema.json:1: error: $ref" in render.stderr, render



@pytest.mark.parametrize("where", ["helmCharts", "generator"])
def test_a_release_name_template_is_not_executed(run_cli, repo_copy, where):
    """helm runs --name-template with every sprig function (env, getHostByName), unlike a chart's
    templates: kustomize passes it from helmCharts[].nameTemplate."""
    kustomization = repo_copy / "overlays" / "dev" / CHART_APP / "kustomization.yaml"
    text = kustomization.read_text(encoding="utf-8")
    template = 'nameTemplate: "r{{ env \\"HOME\\" | replace \\"/\\" \\"-\\" }}"'
    if where == "helmCharts":
        assert "    releaseName: ui-app\n" in text
        text = text.replace("    releaseName: ui-app\n", f"    {template}\n", 1)
    else:
        text += ("generators:\n  - |\n    apiVersion: builtin\n"
                 "    kind: HelmChartInflationGenerator\n    metadata: {name: probe}\n"
                 f"    name: microservice\n    chartHome: ../../../charts\n    {template}\n")
    kustomization.write_text(text, encoding="utf-8")
    render = _render(run_cli, repo_copy)
    assert "app.kubernetes.io/instance: r-" not in render.stdout, render.stdout[:2000]
    assert render.code == 1, render
    assert "helmCharts.nameTemplate" in render.stderr or \
        "HelmChartInflationGenerator.nameTemplate" in render.stderr, render
    assert "[kustomize/plugin]" in render.stderr, render


# --- JSON a pull request wrote -------------------------------------------------------------------
DEEP_JSON = "[" * 100_000 + "]" * 100_000  # Python's json recurses once per level


def _no_crash(outcome) -> None:
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr, outcome
    assert "internal-error" not in outcome.stdout, outcome.stdout


def test_a_chart_schema_nested_too_deep_is_a_finding(run_cli, repo_copy):
    schema = repo_copy / CHART / "values.schema.json"
    schema.write_text('{"type": "object",\n "x-deep": ' + DEEP_JSON + "}", encoding="utf-8")
    render = _render(run_cli, repo_copy)
    _no_crash(render)
    assert render.code == 1, render
    assert "charts/microservice/values.schema.json:2: error:" in render.stderr, render
    assert "nests deeper than" in render.stderr and "[kustomize/invalid-schema]" in render.stderr


def test_dashboards_too_deep_or_not_utf8_are_findings(run_cli, repo_copy):
    boards = repo_copy / "monitoring" / "dashboards"
    (boards / "deep.json").write_text('{"uid":\n' + DEEP_JSON + "}", encoding="utf-8")
    (boards / "latin1.json").write_bytes(b'{"uid":\n "caf\xe9"}')
    outcome = run_cli("validate", "--format", "json", "monitoring/dashboards/deep.json",
                      "monitoring/dashboards/latin1.json", cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.findings(file="monitoring/dashboards/deep.json", line=2,
                            rule="dashboard-json"), outcome.stdout
    assert outcome.findings(file="monitoring/dashboards/latin1.json", line=2,
                            rule="dashboard-json"), outcome.stdout


def test_a_dashboard_configmap_nested_too_deep_is_not_a_crash(run_cli, tmp_path):
    manifest = tmp_path / "boards.yaml"
    manifest.write_text(json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "boards", "namespace": "marty-dev",
                     "labels": {"grafana_dashboard": "1"}},
        "data": {"board.json": "[" * 5000 + "]" * 5000}}), encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", str(manifest))
    _no_crash(outcome)
    assert outcome.code == 0, outcome.stdout


def test_cluster_scoped_kinds_nested_too_deep_is_one_usage_line(run_cli, repo_copy):
    kinds = repo_copy / "base" / "openapi" / "cluster-scoped-kinds.json"
    kinds.write_text('{"paths":\n' + DEEP_JSON + "}", encoding="utf-8")
    (repo_copy / "tests" / "probe.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n  namespace: marty-dev\n"
        "data:\n  a: b\n", encoding="utf-8")
    outcome = run_cli("validate", "tests/probe.yaml", cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code == 2, outcome
    [line] = outcome.stderr.splitlines()
    assert "base/openapi/cluster-scoped-kinds.json:2: " in line and "nests deeper" in line, line


# --- the policy library --------------------------------------------------------------------------
UNLABELLED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: unlabelled
  namespace: marty-dev
spec:
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      containers:
        - name: x
          image: ghcr.io/marty-platform/x@sha256:""" + \
    "5122260f68a6aca287a26fdffb3aac32ef277e8a8b6d91816a888eeb5f420e57\n"


def _probe_manifest(repo: Path) -> str:
    (repo / "tests" / "probe.yaml").write_text(UNLABELLED, encoding="utf-8")
    return "tests/probe.yaml"


def _rewrite_labels_metadata(repo: Path, edit) -> Path:
    metadata = repo / "policies" / "labels" / "metadata.yaml"
    metadata.write_text(edit(metadata.read_text(encoding="utf-8")), encoding="utf-8")
    return metadata


def test_policy_metadata_rules_of_the_wrong_shape_are_not_a_crash(run_cli, repo_copy):
    _rewrite_labels_metadata(repo_copy, lambda text: text[:text.index("rules:")] + "rules: 5\n")
    outcome = run_cli("validate", "--format", "json", _probe_manifest(repo_copy), cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code == 1 and outcome.findings(rule="labels.recommended"), outcome


def test_an_unknown_policy_severity_counts_as_an_error(run_cli, repo_copy):
    _rewrite_labels_metadata(repo_copy, lambda text: text.replace(
        "severity: error", "severity: banana", 1))
    outcome = run_cli("validate", "--format", "json", _probe_manifest(repo_copy), cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code == 1, outcome
    assert [f["severity"] for f in outcome.findings(rule="labels.recommended")] == ["error"]


def test_a_rego_file_that_is_not_utf8_is_named_not_a_crash(run_cli, repo_copy):
    (repo_copy / "policies" / "labels" / "probe.rego").write_bytes(
        b"package k8s.probe\n# caf\xe9\n")
    outcome = run_cli("validate", _probe_manifest(repo_copy), cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code in (1, 2), outcome
    assert "policies/labels/probe.rego:2" in outcome.stdout + outcome.stderr, outcome


def test_policy_metadata_that_is_not_a_list_of_rules_is_a_generated_finding(run_cli, repo_copy):
    _rewrite_labels_metadata(repo_copy, lambda text: text[:text.index("rules:")] + "rules: [5]\n")
    outcome = run_cli("validate", "--format", "json", "policies/labels/metadata.yaml",
                      cwd=repo_copy)
    _no_crash(outcome)
    [item] = outcome.findings(check="generated", rule="policy-docs")
    assert "policies/labels/metadata.yaml" in item["message"], item


# --- repo files listed by a glob -------------------------------------------------------------------
def test_a_dashboard_symlinked_out_of_the_repo_is_not_read(run_cli, repo_copy, tmp_path):
    """The monitoring check lists monitoring/dashboards/*.json and quotes the metrics a dashboard
    queries: a link among them must not make it read, and quote, a file outside the repo."""
    secret = f"canary_{uuid.uuid4().hex}_total"
    outside = tmp_path / "outside-board.json"
    outside.write_text(json.dumps({
        "uid": "outside", "templating": {"list": [{"type": "datasource", "name": "ds"}]},
        "panels": [{"title": "p", "targets": [{"expr": f"sum({secret})"}]}]}), encoding="utf-8")
    (repo_copy / "monitoring" / "dashboards" / "leak.json").symlink_to(outside)
    outcome = run_cli("validate", "--format", "json", "monitoring/dashboards/business.json",
                      cwd=repo_copy)
    _no_crash(outcome)
    assert secret not in outcome.stdout + outcome.stderr
    assert outcome.code == 1
    assert outcome.findings(file="monitoring/dashboards/leak.json",
                            rule="symlink-outside-repo"), outcome.stdout


# --- the repo's own JSON schemas -------------------------------------------------------------------
def _refer_from_repo_schema(repo: Path, schema_rel: str, reference: str) -> None:
    path = repo / schema_rel
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["allOf"] = [*schema.get("allOf", []), {"$ref": reference}]
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def _one_line_naming(outcome, schema_rel: str) -> str:
    _no_crash(outcome)
    assert outcome.code == 2, outcome
    [line] = outcome.stderr.splitlines()
    assert f"{schema_rel}:" in line and "not a usable JSON schema" in line, line
    return line


@pytest.mark.parametrize("schema_rel,args", [
    ("schemas/env-config.schema.json", ("--env", "dev", "tests/probe.yaml")),
    ("schemas/slo-spec.schema.json", ("monitoring/slo/ui-app.yaml",)),
])
def test_a_repo_schema_cannot_make_validation_read_a_host_file(run_cli, repo_copy, host_schema,
                                                               schema_rel, args):
    """jsonschema fetches any reference it cannot resolve (file:// included) unless told not to;
    the env-config and SLO schemas are validated in-process."""
    path, secret = host_schema
    _probe_manifest(repo_copy)
    _refer_from_repo_schema(repo_copy, schema_rel, path.as_uri())
    outcome = run_cli("validate", *args, cwd=repo_copy)
    assert secret not in outcome.stdout + outcome.stderr
    assert path.as_uri() in _one_line_naming(outcome, schema_rel)


def test_a_repo_schema_opens_no_connection(run_cli, repo_copy):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        _probe_manifest(repo_copy)
        _refer_from_repo_schema(repo_copy, "schemas/env-config.schema.json",
                                f"http://127.0.0.1:{port}/schema.json")
        outcome = run_cli("validate", "--env", "dev", "tests/probe.yaml", cwd=repo_copy)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing connected
    _one_line_naming(outcome, "schemas/env-config.schema.json")


@pytest.mark.parametrize("text", ["{", '{"type": "banana"}', '{"$ref": "#"}',
                                  '{"a":\n' + DEEP_JSON + "}"],
                         ids=["truncated", "bad-type", "loop", "too-deep"])
def test_a_broken_repo_schema_is_one_usage_line(run_cli, repo_copy, text):
    (repo_copy / "schemas" / "env-config.schema.json").write_text(text, encoding="utf-8")
    outcome = run_cli("validate", "--env", "dev", _probe_manifest(repo_copy), cwd=repo_copy)
    _one_line_naming(outcome, "schemas/env-config.schema.json")


# --- waivers -------------------------------------------------------------------------------------
def test_waivers_a_loosened_schema_lets_through_are_still_refused(run_cli, repo_copy):
    """The exceptions schema is in the repo too: a pull request can loosen it. An entry that is
    not a waiver is then reported at its line, never a KeyError."""
    (repo_copy / "schemas" / "policy-exceptions.schema.json").write_text(
        '{"type": "object"}', encoding="utf-8")
    exceptions = repo_copy / "policies" / "exceptions.yaml"
    text = exceptions.read_text(encoding="utf-8")
    first = len(text.splitlines()) + 1
    exceptions.write_text(text + (
        "  - rule: labels.recommended\n    justification: x\n    owner: y\n"
        "    expires: 2027-01-01\n"
        "  - rule: labels.team\n    resource: Deployment/x\n    justification: x\n"
        "    owner: y\n    expires: 2027-01-01\n"
        "  - rule: gitleaks/generic-api-key\n    file: README.md\n    justification: x\n"
        "    owner: y\n    expires: 2027-02-30\n"), encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", _probe_manifest(repo_copy), cwd=repo_copy)
    _no_crash(outcome)
    refused = {f["line"]: f["message"] for f in outcome.findings(rule="invalid-waiver")}
    assert refused == {first: "not a waiver: missing resource",
                       first + 4: "not a waiver: resource (kind, name and an optional "
                                  "namespace) must be text",
                       first + 9: "not a waiver: expires '2027-02-30' is not a date "
                                  "(YYYY-MM-DD)"}, refused


@pytest.mark.parametrize("edit,message", [
    (("name: dev", "nom: dev"), "name: required text"),
    (("  missingSchema: warning", "  missingSchema: banana\n  x: y"),
     "strictness/missingSchema: must be one of error, warning, info"),
    (("podSecurity:\n  default: restricted", "podSecurity: [restricted]"),
     "podSecurity: must be a mapping"),
], ids=["no-name", "unknown-severity", "pod-security-list"])
def test_an_env_config_a_loosened_schema_lets_through_is_one_usage_line(run_cli, repo_copy,
                                                                        edit, message):
    (repo_copy / "schemas" / "env-config.schema.json").write_text('{"type": "object"}',
                                                                  encoding="utf-8")
    env_file = repo_copy / "overlays" / "dev" / "env.yaml"
    text = env_file.read_text(encoding="utf-8")
    assert edit[0] in text
    env_file.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    outcome = run_cli("validate", "--env", "dev", _probe_manifest(repo_copy), cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code == 2, outcome
    [line] = outcome.stderr.splitlines()
    assert line.endswith(f"overlays/dev/env.yaml: invalid env config: {message}"), line


# --- CRD schemas kubeconform reads -----------------------------------------------------------------
CERTIFICATE = """apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: probe
  namespace: marty-dev
spec:
  secretName: probe-tls
  issuerRef: {name: x, kind: ClusterIssuer}
  dnsNames: [probe.example.com]
"""


def test_a_crd_schema_reference_spelled_with_escapes_is_refused(run_cli, repo_copy, host_schema):
    """`"\\u0024ref"` is `"$ref"` to kubeconform's JSON decoder, whatever a text search sees."""
    path, secret = host_schema
    schema = repo_copy / "schemas" / "crds" / "cert-manager.io" / "certificate_v1.json"
    text = schema.read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    schema.write_text(text[:-1] + ', "allOf": [{"\\u0024ref": ' + json.dumps(path.as_uri())
                      + "}]}", encoding="utf-8")
    (repo_copy / "tests" / "certificate.yaml").write_text(CERTIFICATE, encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", "tests/certificate.yaml", cwd=repo_copy)
    _no_crash(outcome)
    assert secret not in outcome.stdout + outcome.stderr
    assert outcome.findings(file="schemas/crds/cert-manager.io/certificate_v1.json",
                            rule="unsafe-schema"), outcome.stdout


# --- the secret scanner's config -----------------------------------------------------------------
# Put together here, so that this file holds no connection string for the scanner to find.
LEAKY_PASSWORD = "Zq7RoundThreePass"
LEAKY_CONFIGMAP = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: leaky
  namespace: marty-dev
data:
  url: postgres://app:{LEAKY_PASSWORD}@db:5432/app
"""


@pytest.mark.parametrize("addition,named", [
    ("\n[allowlist]\ndescription = \"x\"\nregexes = ['''.*''']\n", "allowlist"),
    ("\n[[allowlists]]\nregexes = ['''.*''']\n", "allowlists"),
    ("\n[[rules]]\nid = \"aws-access-token\"\nregex = '''never(?:matches)'''\n",
     "'aws-access-token'"),
], ids=["allowlist", "allowlists", "default-rule-replaced"])
def test_the_scanner_config_cannot_silence_the_secrets_check(run_cli, repo_copy, addition,
                                                             named):
    config = repo_copy / "config" / "gitleaks.toml"
    config.write_text(config.read_text(encoding="utf-8") + addition, encoding="utf-8")
    (repo_copy / "tests" / "leaky.yaml").write_text(LEAKY_CONFIGMAP, encoding="utf-8")
    outcome = run_cli("validate", "tests/leaky.yaml", cwd=repo_copy)
    _no_crash(outcome)
    assert LEAKY_PASSWORD not in outcome.stdout + outcome.stderr
    assert outcome.code == 2, outcome
    [line] = outcome.stderr.splitlines()
    assert "config/gitleaks.toml: " in line and named in line, line


def test_extend_in_the_scanner_config_is_refused(run_cli, repo_copy):
    config = repo_copy / "config" / "gitleaks.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "useDefault = true", "useDefault = true\ndisabledRules = [\"generic-api-key\"]"),
        encoding="utf-8")
    (repo_copy / "tests" / "leaky.yaml").write_text(LEAKY_CONFIGMAP, encoding="utf-8")
    outcome = run_cli("validate", "tests/leaky.yaml", cwd=repo_copy)
    assert outcome.code == 2 and "[extend] may only say" in outcome.stderr, outcome


# --- files every run reads -----------------------------------------------------------------------
def test_a_tool_manifest_of_the_wrong_shape_is_one_line(run_cli, repo_copy):
    tools = repo_copy / "tools.toml"
    text = tools.read_text(encoding="utf-8")
    assert "[schemas.kubernetes]" in text
    tools.write_text(text.replace("[schemas.kubernetes]", "[schemas.kubernetez]"),
                     encoding="utf-8")
    outcome = run_cli("validate", _probe_manifest(repo_copy), cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code == 2, outcome
    [line] = outcome.stderr.splitlines()
    assert "tools.toml: malformed tool manifest (no kubernetes)" in line, line


def test_an_ignore_file_that_is_not_utf8_hides_nothing_and_crashes_nothing(run_cli, repo_copy):
    ignore = repo_copy / ".validateignore"
    ignore.write_bytes(ignore.read_bytes() + b"docs/caf\xe9*\n")
    (repo_copy / "docs" / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", ".validateignore", "docs/broken.yaml",
                      cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.findings(file="docs/broken.yaml", check="yaml"), outcome.stdout


def test_generators_reading_a_schema_nested_too_deep_report_it(run_cli, repo_copy):
    """The generated check regenerates the editor schemas from the chart's values schema."""
    schema = repo_copy / CHART / "values.schema.json"
    schema.write_text('{"type": "object",\n "x-deep": ' + DEEP_JSON + "}", encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", "charts/microservice/values.schema.json",
                      cwd=repo_copy)
    _no_crash(outcome)
    assert outcome.code == 1
    assert any("charts/microservice/values.schema.json:2: document nests deeper" in f["message"]
               for f in outcome.findings(check="generated")), outcome.stdout
