"""A pull request's Rego policy cannot read a file of the machine: conftest's own built-ins
parse_config_file and parse_combined_config_files read a path relative to the policy, so `../`
leads anywhere, and a deny message would quote what was read. A policy (or a policy's unit test)
naming one stops the run with one usage line, before conftest runs it."""
from __future__ import annotations

import pytest

MARKER = "HostFileMarker4711"
POLICY = """package k8s.exfiltrate

import rego.v1

deny contains msg if {{
  input.kind
  msg := sprintf("%v", [{call}])
}}
"""


@pytest.mark.parametrize("call,builtin", [
    ('parse_config_file("{path}")', "parse_config_file"),
    ('parse_combined_config_files(["{path}"])', "parse_combined_config_files"),
])
@pytest.mark.parametrize("name", ["exfiltrate.rego", "exfiltrate_test.rego"])
def test_a_policy_reading_a_host_file_stops_the_run(run_cli, repo_copy, tmp_path, call, builtin,
                                                    name):
    host = tmp_path / "host" / "secret.json"
    host.parent.mkdir()
    host.write_text(f'{{"token": "{MARKER}"}}\n', encoding="utf-8")
    policy_dir = repo_copy / "policies" / "exfiltrate"
    policy_dir.mkdir()
    climb = "../" * len(policy_dir.parts)  # from the policy's directory up to /
    (policy_dir / name).write_text(
        POLICY.format(call=call.format(path=climb + str(host).lstrip("/"))), encoding="utf-8")

    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo_copy)

    assert MARKER not in outcome.stdout + outcome.stderr
    assert outcome.code == 2, outcome.stdout[-2000:] + outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert f"policies/exfiltrate/{name}:7" in lines[0] and builtin in lines[0], lines[0]
