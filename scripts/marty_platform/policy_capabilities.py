"""The built-ins a Rego policy of the pull request may call: OPA's own list for the version
conftest is built with, less those that reach outside the run.

conftest passes the result with `--capabilities`, so its compiler refuses a policy (or a policy
unit test) calling any other built-in, however the call is spelt (`net["lookup_ip_addr"]` too),
before it evaluates anything. conftest's own built-ins (`parse_config_file`,
`parse_combined_config_files`, which read any file of the machine) are not in OPA's list and so
are refused the same way. The network namespace the tools run in stays the second fence.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

OPA_VERSION = "v1.19.0"  # github.com/open-policy-agent/opa, as conftest's build names it
OPA_CAPABILITIES = Path(__file__).parent / "data" / f"opa-capabilities-{OPA_VERSION}.json"
# Each one refused, with why.
REFUSED = {
    "http.send": "opens network connections",
    "net.lookup_ip_addr": "resolves names over the network",
    "opa.runtime": "returns the environment of the process running the policy",
}
_UNDEFINED = re.compile(r"(\S+\.rego):(\d+): rego_type_error: undefined function ([\w.]+)")


def restricted() -> dict:
    """OPA's capabilities without the refused built-ins, and no host a built-in may reach."""
    capabilities = json.loads(OPA_CAPABILITIES.read_text(encoding="utf-8"))
    capabilities["builtins"] = [builtin for builtin in capabilities["builtins"]
                                if builtin.get("name") not in REFUSED]
    capabilities["allow_net"] = []
    return capabilities


def write(directory: Path) -> Path:
    path = directory / "capabilities.json"
    path.write_text(json.dumps(restricted()), encoding="utf-8")
    return path


def refusal(detail: str) -> str | None:
    """The usage line for conftest's refusal of a policy calling a refused built-in, if that is
    why it stopped (`detail`: its cleaned stderr, which names the file and line)."""
    for file, line, name in _UNDEFINED.findall(detail):
        if name in REFUSED:
            return f"{file}:{line}: calls {name}, which a policy may not call: it {REFUSED[name]}"
    return None
