"""base/platform/admission-policies/: the cluster-side guardrails (marty_platform.admission_policies)
as a Kustomize tree the platform-namespaces overlays deliver:

- guardrails/: the policies and bindings every env enforces;
- require-digest/: a component with images.digest-pinned and its binding;
- <env>/: the env's entry point, with require-digest where its env.yaml sets
  images.requireDigest (overlays/<env>/platform-namespaces lists it).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from marty_platform import admission_policies as guardrails
from marty_platform.envconfig import load_env_config
from marty_platform.generators.files import orphans, sync_files
from marty_platform.repo import Repo
from marty_platform.settings import Settings

OUT_DIR = Path("base/platform/admission-policies")
COMMON, DIGEST = "guardrails", "require-digest"
HEADER = (f"# GENERATED from {guardrails.GUARDRAILS_DATA}, overlays/<env>/env.yaml and "
          "catalog/platform-controllers.yaml\n# by `scripts/generate` "
          "(scripts/marty_platform/admission_policies.py); do not edit.\n")


def _objects(docs: list[dict]) -> str:
    return HEADER + "".join("---\n" + yaml.safe_dump(d, sort_keys=False, width=100)
                            for d in docs)


def _kustomization(comment: str, body: dict, kind: str = "Kustomization") -> str:
    api = "v1alpha1" if kind == "Component" else "v1beta1"
    return HEADER + f"# {comment}\n" + yaml.safe_dump(
        {"apiVersion": f"kustomize.config.k8s.io/{api}", "kind": kind, **body}, sort_keys=False)


def render(root: Path) -> dict[Path, str]:
    sources = guardrails.load_sources(root)
    always = guardrails.always_on(sources.registries, sources.team_label)
    digest = guardrails.digest_pinned()
    out = root / OUT_DIR
    files = {
        out / COMMON / "kustomization.yaml": _kustomization(
            "The guardrails every env enforces in its service namespace.",
            {"resources": ["policies.yaml"]}),
        out / COMMON / "policies.yaml": _objects(guardrails.objects(sources, always)),
        out / DIGEST / "kustomization.yaml": _kustomization(
            "Images pinned by digest: the envs whose env.yaml sets images.requireDigest.",
            {"resources": [f"{digest.name}.yaml"]}, kind="Component"),
        out / DIGEST / f"{digest.name}.yaml": _objects(guardrails.objects(sources, [digest])),
    }
    repo = Repo(root)
    for env in repo.envs():
        config = load_env_config(repo, env)
        body: dict = {"resources": [f"../{COMMON}"]}
        if config.require_digest:
            body["components"] = [f"../{DIGEST}"]
        files[out / env / "kustomization.yaml"] = _kustomization(
            f"The guardrails of {env}"
            + (" (images.requireDigest: true)." if config.require_digest else "."), body)
    return files


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    if not (root / guardrails.GUARDRAILS_DATA).is_file():
        return []
    wanted = render(root)
    return sync_files(wanted, write) + orphans(wanted, root / OUT_DIR, "*/*.yaml", write)
