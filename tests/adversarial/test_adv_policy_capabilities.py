"""A pull request's Rego policy cannot reach outside the run: conftest runs the library with
capabilities that leave out OPA's network built-ins and opa.runtime, so a policy or a policy
unit test calling one, however the call is spelt, stops the run with one usage line naming its
file and line, before conftest evaluates anything."""
from __future__ import annotations

import pytest

POLICY = """package k8s.reach_out

import rego.v1

deny contains msg if {{
  input.kind
  msg := sprintf("%v", [{call}])
}}
"""
TEST = """package k8s.reach_out

import rego.v1

test_reach_out if {{
  input.kind
  {call}
}}
"""


@pytest.mark.parametrize("call,builtin", [
    ('http.send({"method": "get", "url": "http://127.0.0.1:9/"})', "http.send"),
    ('net["lookup_ip_addr"]("localhost")', "net.lookup_ip_addr"),
    ("opa.runtime()", "opa.runtime"),
])
@pytest.mark.parametrize("name,template", [("reach_out.rego", POLICY),
                                           ("reach_out_test.rego", TEST)])
def test_a_policy_calling_a_refused_built_in_stops_the_run(run_cli, repo_copy, call, builtin,
                                                           name, template):
    policy_dir = repo_copy / "policies" / "reach-out"
    policy_dir.mkdir()
    (policy_dir / name).write_text(template.format(call=call), encoding="utf-8")

    outcome = run_cli("validate", "--format", "json", "overlays/dev/trust-anchor", cwd=repo_copy)

    assert outcome.code == 2, outcome.stdout[-2000:] + outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert f"policies/reach-out/{name}:7" in lines[0], lines[0]
    assert builtin in lines[0] and "may not call" in lines[0], lines[0]
