"""--format github: nothing from the pull request can start a workflow command of its own."""
from __future__ import annotations

import re
from pathlib import Path

INJECTED = "::warning file=README.md::injected"


def commands(stdout: str) -> list[str]:
    """Every line the Actions runner would read as a workflow command."""
    return [line for line in stdout.splitlines() if line.startswith("::")]


def test_a_file_name_cannot_inject_a_command(run_cli, tmp_path):
    path = tmp_path / f"x\n{INJECTED}\n.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n",
                    encoding="utf-8")
    outcome = run_cli("validate", "--format", "github", str(path))
    assert outcome.code == 1, outcome.stderr
    lines = commands(outcome.stdout)
    assert not any("injected" in line and not line.startswith("::error ") for line in lines), lines
    [annotation] = [line for line in lines if line.startswith("::error ")]
    escaped = str(path).replace("%", "%25").replace("\n", "%0A").replace(":", "%3A")
    assert annotation.startswith(f"::error file={escaped.replace(',', '%2C')},line=3,"), annotation


def test_a_message_and_the_text_report_cannot_inject_a_command(run_cli, tmp_path):
    path = tmp_path / "configmap.yaml"
    path.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n'
                    f'  "bad\\n{INJECTED}": 1\n', encoding="utf-8")
    outcome = run_cli("validate", "--format", "github", str(path))
    assert outcome.code == 1, outcome.stderr
    lines = commands(outcome.stdout)
    annotations = [line for line in lines if re.match(r"::(error|warning|notice) ", line)]
    assert annotations and all("%0A::warning file%3DREADME.md" not in line or
                               line.startswith("::error") for line in annotations)
    assert not any(line.startswith("::warning file=README.md") for line in lines), lines
    # The human-readable report is printed with workflow commands stopped, then resumed.
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].split("::")[2]
    assert len(token) >= 32 and lines[-1] == f"::{token}::"


def test_properties_escape_colon_and_comma(run_cli, tmp_path):
    path = tmp_path / "a,b:c%d.yaml"
    Path(path).write_text("a: [\n", encoding="utf-8")
    outcome = run_cli("validate", "--format", "github", str(path))
    [annotation] = [line for line in commands(outcome.stdout) if line.startswith("::error ")]
    assert "a%2Cb%3Ac%25d.yaml" in annotation and ",title=yaml/syntax::" in annotation
