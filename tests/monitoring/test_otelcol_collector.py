"""The collector configs judged by the real collector (check otelcol): the committed ones are
clean; an unknown component, a pipeline naming a missing exporter, a broken sampling policy and a
config-provider reference are findings at their line; validation reads no file outside the repo;
the builder manifest lists exactly the components the configs use; the deployed image is the
version the manifest builds."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from harness import TOOLS_BIN, pinned_tool
from marty_platform.checks import otelcol
from marty_platform.monitoring import collector_config
from marty_platform.tools.runner import ToolBox

PROD = Path("monitoring/otel/collector-prod.yaml")


@pytest.fixture
def otel_tools(tmp_path_factory) -> ToolBox:
    pinned_tool("otelcol")
    return ToolBox(TOOLS_BIN, tmp_path_factory.mktemp("otelcol-home"))


@pytest.fixture
def otel_repo(tmp_path: Path) -> Path:
    """monitoring/, catalog/, schemas/ and tools/otelcol/ of this checkout, to break."""
    for part in ("monitoring", "catalog", "schemas", "tools/otelcol"):
        shutil.copytree(REPO_ROOT / part, tmp_path / part)
    return tmp_path


REPO_ROOT = Path(__file__).resolve().parents[2]


def _judge(root: Path, tools: ToolBox, tmp_path: Path):
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    findings, checked = otelcol.check_collector(root, tools, workdir)
    return findings, checked


def _edit(root: Path, old: str, new: str, path: Path = PROD) -> None:
    text = (root / path).read_text()
    assert old in text, old
    (root / path).write_text(text.replace(old, new, 1))


def _line_of(root: Path, needle: str, path: Path = PROD) -> int:
    lines = (root / path).read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_every_env_config_is_valid(otel_tools, tmp_path):
    findings, checked = _judge(REPO_ROOT, otel_tools, tmp_path)
    assert checked == 3
    assert findings == []


def test_unknown_component_is_a_finding_at_its_line(otel_repo, otel_tools, tmp_path):
    _edit(otel_repo, "  batch:\n", "  groupbytrace:\n    wait_duration: 10s\n  batch:\n")
    _edit(otel_repo, "processors: [memory_limiter, tail_sampling, batch]",
          "processors: [memory_limiter, tail_sampling, groupbytrace, batch]")
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert [(f.check, f.rule, f.file, f.env) for f in findings] == [
        ("otelcol", "validate", PROD.as_posix(), "prod")]
    assert "groupbytrace" in findings[0].message
    assert findings[0].line == _line_of(otel_repo, "groupbytrace:")


def test_pipeline_naming_a_missing_exporter_is_a_finding(otel_repo, otel_tools, tmp_path):
    _edit(otel_repo, "exporters: [otlp_grpc/jaeger]", "exporters: [otlp_grpc/tempo]")
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert [(f.rule, f.file) for f in findings] == [("validate", PROD.as_posix())]
    assert "otlp_grpc/tempo" in findings[0].message
    assert findings[0].line == _line_of(otel_repo, "otlp_grpc/tempo")


def test_a_broken_tail_sampling_policy_is_a_finding(otel_repo, otel_tools, tmp_path):
    """The policy that keeps every slow trace is validated by the collector itself."""
    _edit(otel_repo, "threshold_ms: 2000", "threshold_msec: 2000")
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert [(f.rule, f.file) for f in findings] == [("validate", PROD.as_posix())]
    assert "threshold_msec" in findings[0].message


def test_prod_keeps_every_error_and_every_slow_trace():
    policies = collector_config_policies(REPO_ROOT / PROD)
    assert {"type": "status_code", "status_code": {"status_codes": ["ERROR"]}} in policies
    slow = [p for p in policies if p["type"] == "latency"]
    assert slow and slow[0]["latency"]["threshold_ms"] == 2000


def collector_config_policies(path: Path) -> list[dict]:
    from marty_platform.yamlio import load_one

    policies = load_one(path)["processors"]["tail_sampling"]["policies"]
    return [{k: v for k, v in p.items() if k != "name"} for p in policies]


@pytest.mark.parametrize("reference", ["${file:/etc/passwd}", "${env:HOME}", "${HOME}"])
def test_provider_reference_is_refused_before_the_collector_runs(otel_repo, otel_tools, tmp_path,
                                                                  reference):
    _edit(otel_repo, "endpoint: jaeger-collector.observability.svc.cluster.local:4317",
          f"endpoint: {reference}")
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert [(f.rule, f.file, f.line) for f in findings] == [
        ("provider-reference", PROD.as_posix(), _line_of(otel_repo, reference))]
    assert "root:" not in findings[0].message


def test_the_collector_itself_cannot_read_a_file_through_a_provider(otel_tools, tmp_path):
    """Defence in depth: the collector is built with the yaml provider only, so even a config
    that reached it could not read /etc/passwd."""
    config = (REPO_ROOT / PROD).read_text().replace(
        "endpoint: jaeger-collector.observability.svc.cluster.local:4317",
        "endpoint: ${file:/etc/passwd}")
    completed = otel_tools.run("otelcol", "validate", f"--config=yaml:{config}",
                               problem_codes=(1,), cwd=tmp_path)
    assert completed.found_problems
    output = completed.stdout + completed.stderr
    assert "file" in output and "root:x:0" not in output


def test_validation_opens_no_file_a_config_names(otel_repo, otel_tools, tmp_path):
    """tls.ca_file outside the repo is not opened: a FIFO there would block an open() forever,
    so the check finishing (and the FIFO never having a reader) proves it."""
    fifo = tmp_path / "outside" / "ca.crt"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    _edit(otel_repo, "ca_file: /etc/otel/certs/ca.crt", f"ca_file: {fifo}")
    opened = threading.Event()

    def writer():  # opening a FIFO for writing blocks until someone opens it for reading
        fd = os.open(fifo, os.O_WRONLY)
        opened.set()
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert findings == []
    assert not opened.wait(0.5), "the collector opened the file tls.ca_file names"
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # release the writer thread
    thread.join(5)
    os.close(reader)


def test_component_built_but_unused_is_a_warning(otel_repo, otel_tools, tmp_path):
    for env in ("dev", "staging", "prod"):
        path = Path(f"monitoring/otel/collector-{env}.yaml")
        _edit(otel_repo, "  extensions: [health_check]\n", "", path)
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert [(f.rule, f.severity.value, f.file) for f in findings] == [
        ("unused-component", "warning", "tools/otelcol/builder-config.yaml")]
    assert "health_check" in findings[0].message
    assert findings[0].line == _line_of(otel_repo, "healthcheckextension",
                                        Path("tools/otelcol/builder-config.yaml"))


def test_deployed_image_must_be_the_built_version(otel_repo, otel_tools, tmp_path):
    _edit(otel_repo, 'tag: "0.165.0"', 'tag: "0.120.0"', Path("catalog/platform-components.yaml"))
    findings, _ = _judge(otel_repo, otel_tools, tmp_path)
    assert [(f.rule, f.file) for f in findings] == [
        ("image-version", "catalog/platform-components.yaml")]
    assert findings[0].line == _line_of(otel_repo, 'tag: "0.120.0"',
                                        Path("catalog/platform-components.yaml"))


def test_span_metric_names_follow_the_connectors():
    from marty_platform.yamlio import load_one

    produced = collector_config.produced_metrics(load_one(REPO_ROOT / PROD))
    assert "traces_span_metrics_duration_seconds_bucket" in produced
    assert "traces_dependency_calls_total" in produced
    config = load_one(REPO_ROOT / PROD)
    config["connectors"]["span_metrics"]["histogram"]["unit"] = "ms"
    assert "traces_span_metrics_duration_milliseconds_bucket" in \
        collector_config.produced_metrics(config)


def test_broken_config_fails_scripts_validate(run_cli, repo_copy):
    pinned_tool("otelcol")
    _edit(repo_copy, "exporters: [otlp_grpc/jaeger]", "exporters: [otlp_grpc/tempo]")
    outcome = run_cli("validate", "--format", "json", PROD.as_posix(), cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    assert [(f["rule"], f["file"], f["env"]) for f in outcome.findings(check="otelcol")] == [
        ("validate", PROD.as_posix(), "prod")]
