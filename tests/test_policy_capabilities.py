"""The capabilities conftest runs the policies with: OPA's own list for the OPA version conftest
is built with, less the built-ins that reach outside the run."""
from __future__ import annotations

import subprocess

from harness import ROOT, pinned_tool
from marty_platform import policy_capabilities
from marty_platform.tools.manifest import load_manifest
from marty_platform.tools.bootstrap import find_go


def test_the_capabilities_file_is_that_of_the_opa_conftest_is_built_with():
    conftest = pinned_tool("conftest")
    go = find_go(load_manifest(ROOT / "tools.toml").go_fallback, print)
    build = subprocess.run([go, "version", "-m", str(conftest)], capture_output=True, text=True,
                           check=True).stdout
    versions = [line.split()[2] for line in build.splitlines()
                if line.split()[:2] == ["dep", "github.com/open-policy-agent/opa"]]
    assert versions == [policy_capabilities.OPA_VERSION], \
        "refresh scripts/marty_platform/data (see its NOTICE)"
    assert policy_capabilities.OPA_CAPABILITIES.is_file()


def test_the_refused_built_ins_are_gone_and_no_host_is_reachable():
    capabilities = policy_capabilities.restricted()
    names = {builtin["name"] for builtin in capabilities["builtins"]}
    assert not names & set(policy_capabilities.REFUSED)
    assert {"sprintf", "net.cidr_contains", "regex.match"} <= names  # the rest stays
    assert capabilities["allow_net"] == []


def test_a_refusal_is_one_line_naming_the_file_and_line():
    detail = ("Error: running test: load: loading policies: get compiler: 1 error occurred: "
              "policies/x/x.rego:4: rego_type_error: undefined function http.send")
    assert policy_capabilities.refusal(detail) == (
        "policies/x/x.rego:4: calls http.send, which a policy may not call: it opens network "
        "connections")
    assert policy_capabilities.refusal(detail.replace("http.send", "nope.nope")) is None
