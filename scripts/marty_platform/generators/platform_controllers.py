"""The platform controllers as GitOps objects, from catalog/platform-controllers.yaml:

- gitops/argocd/<env>/controllers.yaml: the controllers' AppProject and Applications;
- gitops/flux/<env>/controllers.yaml: HelmRepositories and HelmReleases;
- gitops/controllers/kube-prometheus-stack/alertmanager.yaml: the Alertmanager configuration of
  monitoring/alertmanager/ (config and templates) as chart values, so the Alertmanager the chart
  creates loads exactly that config (the chart writes it into the Secret the Alertmanager object
  reads). The one change: `templates` points at where the chart mounts the template files.
"""
from __future__ import annotations

from pathlib import Path

from marty_platform.catalog import controllers as catalog_controllers
from marty_platform.catalog.controller_objects import argocd_objects, flux_objects
from marty_platform.envconfig import production_envs
from marty_platform.generators.files import sync_files
from marty_platform.generators.prometheus_rules import dump
from marty_platform.monitoring.layout import ALERTMANAGER_CONFIG
from marty_platform.repo import Repo
from marty_platform.settings import Settings
from marty_platform.yamlio import load_config

SOURCE = catalog_controllers.CONTROLLERS
ALERTMANAGER_CONTROLLER = "kube-prometheus-stack"
ALERTMANAGER_VALUES = (catalog_controllers.VALUES_DIR / ALERTMANAGER_CONTROLLER
                       / "alertmanager.yaml").as_posix()
TEMPLATES_DIR = ALERTMANAGER_CONFIG.parent / "templates"
# kube-prometheus-stack writes `alertmanager.templateFiles` next to the config in the Secret the
# Alertmanager object mounts at /etc/alertmanager/config.
MOUNTED_TEMPLATES = "/etc/alertmanager/config/*.tmpl"


def _header(source: str, hint: str) -> str:
    return f"# GENERATED from {source} by `scripts/generate`; do not edit.\n# {hint}\n"


def alertmanager_values(root: Path) -> dict:
    config = load_config(root / ALERTMANAGER_CONFIG, ALERTMANAGER_CONFIG.as_posix())
    if not isinstance(config, dict):
        return {}
    config = {**config, "templates": [MOUNTED_TEMPLATES]} if "templates" in config else config
    templates = sorted((root / TEMPLATES_DIR).glob("*.tmpl"))
    return {"alertmanager": {
        "config": config,
        "templateFiles": {t.name: t.read_text(encoding="utf-8") for t in templates}}}


def outputs(root: Path) -> dict[str, str]:
    if not catalog_controllers.present(root):
        return {}
    controllers = catalog_controllers.load(root)
    generated: dict[str, dict] = {}
    out: dict[str, str] = {}
    if (root / ALERTMANAGER_CONFIG).is_file() and controllers.by_name(ALERTMANAGER_CONTROLLER):
        generated[ALERTMANAGER_VALUES] = alertmanager_values(root)
        out[ALERTMANAGER_VALUES] = _header(
            f"{ALERTMANAGER_CONFIG.parent.as_posix()}/",
            "Change the Alertmanager config or its templates there and regenerate.") + dump(
            generated[ALERTMANAGER_VALUES])
    values = {c.name: catalog_controllers.read_values(root, c, generated)
              for c in controllers.for_engine("flux")}
    repo = Repo(root)
    production = production_envs(repo)
    hint = "Change the controllers or their values (gitops/controllers/) and regenerate."
    for env in repo.envs():
        argocd = argocd_objects(controllers, env, env in production)
        flux = flux_objects(controllers, env, env in production, values)
        out[f"gitops/argocd/{env}/controllers.yaml"] = _header(SOURCE, hint) + "".join(
            "---\n" + dump(doc) for doc in argocd)
        out[f"gitops/flux/{env}/controllers.yaml"] = _header(SOURCE, hint) + "".join(
            "---\n" + dump(doc) for doc in flux)
    return out


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    return sync_files({root / rel: text for rel, text in outputs(root).items()}, write)
