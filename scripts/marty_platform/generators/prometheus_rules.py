"""base/platform/monitoring/rules/: the rule files of monitoring/rules/ as PrometheusRule objects.

The plain rule files (hand-written monitoring/rules/*.yaml and Sloth's
monitoring/rules/generated/slo-*.yaml) are the one source: promtool checks and unit-tests them,
and this generator wraps each, unchanged, as a prometheus-operator PrometheusRule
(`spec.groups` = the file's `groups`) that the platform-monitoring overlays deliver. Clusters
load rules only through these objects, never the plain files, so every rule exists once.

Outputs: `rules/<file stem>.yaml` per rule file and `rules/kustomization.yaml` listing them.
Objects whose source file is gone are stale and deleted on write.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from marty_platform import catalog
from marty_platform.settings import Settings
from marty_platform.generators.files import orphans, sync_files
from marty_platform.monitoring.layout import DELIVERED_RULES_DIR, rule_files
from marty_platform.yamlio import load_config

OUT_DIR = DELIVERED_RULES_DIR
PLATFORM_TEAM = "platform"


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (PromQL, descriptions) as literal blocks, sequences indented."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BlockDumper.add_representer(str, _str)


def dump(document: dict) -> str:
    return yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, width=100,
                     allow_unicode=True)


RULES_HINT = ("Change the rule file (or, for slo-*, its SLO spec in monitoring/slo/) and "
              "regenerate.")


def header(source: str, hint: str = RULES_HINT) -> str:
    return f"# GENERATED from {source} by `scripts/generate`; do not edit.\n# {hint}\n"


def _team(stem: str, teams: dict[str, str]) -> str:
    return teams.get(stem.removeprefix("slo-"), PLATFORM_TEAM) if stem.startswith("slo-") \
        else PLATFORM_TEAM


def prometheus_rule(name: str, team: str, groups: list) -> dict:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": name, "labels": {
            "app.kubernetes.io/name": name,
            "app.kubernetes.io/part-of": catalog.PART_OF,
            "app.kubernetes.io/component": "monitoring",
            "app.kubernetes.io/managed-by": "kustomize",
            "marty.dev/team": team,
        }},
        "spec": {"groups": groups},
    }


def outputs(root: Path) -> dict[Path, str]:
    """Repo-relative path -> content of every generated file under base/platform/monitoring/rules/."""
    teams = {s.name: s.team for s in catalog.load(root)}
    out: dict[Path, str] = {}
    names: list[str] = []
    for source in rule_files(root):
        relative = source.relative_to(root).as_posix()
        document = load_config(source, relative) or {}
        groups = document.get("groups") or []
        name = source.stem
        if name in names:
            raise ValueError(f"{relative}: a second rule file named {name}.yaml; rule file "
                             "names must be unique across monitoring/rules/")
        names.append(name)
        out[OUT_DIR / f"{name}.yaml"] = header(relative) + dump(
            prometheus_rule(name, _team(name, teams), groups))
    out[OUT_DIR / "kustomization.yaml"] = (
        header("monitoring/rules/") + "# One PrometheusRule per rule file.\n" + dump({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": [f"{n}.yaml" for n in sorted(names)]}))
    return out


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    wanted = {root / rel: text for rel, text in outputs(root).items()}
    return sync_files(wanted, write) + orphans(wanted, root / OUT_DIR, "*.yaml", write)
