""".github/CODEOWNERS from the catalog's teams: each service's base, non-production overlays and
SLO spec are owned by its team; everything else, the production overlays and the policies by
the platform team. GitHub applies the last matching line, so the platform lines come last."""
from __future__ import annotations

from pathlib import Path

from marty_platform import catalog
from marty_platform.catalog.model import CATALOG
from marty_platform.envconfig import production_envs
from marty_platform.generators.files import sync_files
from marty_platform.generators.prometheus_rules import PLATFORM_TEAM
from marty_platform.monitoring.layout import SLO_DIR
from marty_platform.repo import Repo
from marty_platform.settings import Settings

OUTPUT = ".github/CODEOWNERS"
ORG = "marty-platform"


def owner(team: str) -> str:
    return f"@{ORG}/{team}"


def render(root: Path) -> str:
    repo = Repo(root)
    production = production_envs(repo)
    envs = [env for env in repo.envs() if env not in production]
    platform = owner(PLATFORM_TEAM)
    lines = [f"# GENERATED from {CATALOG} by `scripts/generate`; do not edit.",
             "# A service's team owns its base, its non-production overlays and its SLO spec; the",
             "# platform team owns the rest, and always the production overlays and the policies",
             "# (the last matching line wins).", "", f"* {platform}", ""]
    for service in catalog.load(root):
        team = owner(service.team)
        lines.append(f"# {service.name}")
        lines.append(f"/base/services/{service.name}/ {team}")
        lines += [f"/overlays/{env}/{service.name}/ {team}" for env in envs]
        lines.append(f"/{SLO_DIR.as_posix()}/{service.name}.yaml {team}")
    lines += ["", "# Platform-owned whatever the lines above say."]
    lines += [f"/overlays/{env}/** {platform}" for env in sorted(production)]
    lines += [f"/policies/** {platform}", f"/{OUTPUT} {platform}"]
    return "\n".join(lines) + "\n"


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    if not (root / CATALOG).is_file():
        return []
    return sync_files({root / OUTPUT: render(root)}, write)
