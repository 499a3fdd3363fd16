"""The admission policies follow the data the Rego rules read: an allowed registry changed in
policies/data and images.requireDigest turned on in an env make base/platform/admission-policies
stale, and `scripts/generate` writes both changes (the CEL's registry list, the env's digest
component)."""
from __future__ import annotations

import yaml

from harness import ROOT

OUT = "base/platform/admission-policies"


def _policy(path, name: str) -> dict:
    return next(d for d in yaml.safe_load_all(path.read_text())
                if d and d["kind"] == "ValidatingAdmissionPolicy" and d["metadata"]["name"] == name)


def test_committed_envs_bind_the_digest_guardrail_where_env_yaml_requires_it():
    for env_dir in sorted((ROOT / "overlays").iterdir()):
        if not (env_dir / "env.yaml").is_file():
            continue
        env = yaml.safe_load((env_dir / "env.yaml").read_text())
        entry = yaml.safe_load((ROOT / OUT / env_dir.name / "kustomization.yaml").read_text())
        assert (entry.get("components") == ["../require-digest"]) == \
            bool(env.get("images", {}).get("requireDigest")), env_dir.name
        overlay = yaml.safe_load((env_dir / "platform-namespaces" / "kustomization.yaml").read_text())
        assert f"../../../{OUT}/{env_dir.name}" in overlay["resources"]


def test_changed_data_makes_the_policies_stale_and_generate_follows_it(run_cli, repo_copy):
    data = repo_copy / "policies" / "data" / "guardrails.yaml"
    data.write_text(data.read_text().replace("- docker.io/istio/", "- mirror.marty.internal/"))
    dev = repo_copy / "overlays" / "dev" / "env.yaml"
    dev.write_text(dev.read_text().replace("requireDigest: false", "requireDigest: true"))

    stale = run_cli("generate", "--check", cwd=repo_copy)
    assert stale.code == 1
    assert f"{OUT}/guardrails/policies.yaml" in stale.stdout + stale.stderr
    assert f"{OUT}/dev/kustomization.yaml" in stale.stdout + stale.stderr

    assert run_cli("generate", cwd=repo_copy).code == 0
    policy = _policy(repo_copy / OUT / "guardrails" / "policies.yaml", "images.allowed-registry")
    cel = {v["name"]: v["expression"] for v in policy["spec"]["variables"]}["disallowed"]
    assert '"mirror.marty.internal/"' in cel and "docker.io/istio/" not in cel
    entry = yaml.safe_load((repo_copy / OUT / "dev" / "kustomization.yaml").read_text())
    assert entry["components"] == ["../require-digest"]
