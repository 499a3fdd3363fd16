"""The Pod Security policies (Rego) and the real Pod Security admission agree on the upstream
PSA fixtures of ../shared/corpus/psa (restricted profile: the dev namespace is restricted in
env.yaml), and the server accepts none of the disallowed fixtures.

One fixture they judge differently, and `validate --server` says so with both verdicts: the
policies mirror Pod Security v1.37, whose safe sysctls include net.ipv4.tcp_slow_start_after_idle
and net.ipv4.tcp_notsent_lowat; the envs' Kubernetes 1.34 still forbids them."""
from __future__ import annotations

import pytest
import yaml

from harness import SHARED
from server_support import validate_on_server

NAMESPACE = "marty-dev"  # restricted in overlays/dev/env.yaml

PSA = SHARED / "corpus" / "psa"
pytestmark = pytest.mark.shared


def _stage(directory: str, target) -> list[str]:
    """The fixtures of `directory`, put into the restricted namespace under unique names."""
    resources = []
    for path in sorted((PSA / directory).glob("*.yaml")):
        for index, doc in enumerate(d for d in yaml.safe_load_all(path.read_text()) if d):
            meta = doc.setdefault("metadata", {})
            meta["namespace"] = NAMESPACE
            meta["name"] = f"{directory.split('/')[0]}-{path.stem}-{index}".lower()[:63]
            (target / f"{meta['name']}.yaml").write_text(yaml.safe_dump(doc))
            resources.append(f"{doc['kind']}/{NAMESPACE}/{meta['name']}")
    return resources


def test_restricted_corpus_verdicts_agree(api_server, tmp_path):
    if not PSA.is_dir():
        pytest.skip("../shared/corpus/psa is absent")
    _stage("allowed/restricted", tmp_path)
    disallowed = _stage("disallowed/restricted", tmp_path)
    outcome = validate_on_server(api_server, "--env", "dev", str(tmp_path))
    assert outcome.code in (0, 1), outcome.stderr
    disagreements = outcome.findings(check="server", rule="pod-security-disagrees")
    assert [f["resource"] for f in disagreements] == [f"Pod/{NAMESPACE}/allowed-sysctls1-0"]
    assert "the policies say allowed, the API server's admission says denied" in \
        disagreements[0]["message"]
    assert "forbidden sysctls (net.ipv4.tcp_slow_start_after_idle" in disagreements[0]["message"]
    # refused or warned about: by Pod Security admission, or before it by the API's own
    # validation (a procMount or seccomp profile this version does not accept)
    refused = {f["resource"] for f in outcome.findings(check="server")
               if f["rule"] in ("rejected", "warning")}
    assert set(disallowed) <= refused
