"""What is created once and then owned by people: a new service's overlays and its SLO spec stub."""
from __future__ import annotations

from pathlib import Path

import yaml

from marty_platform.catalog.model import IndentedDumper, Service, load
from marty_platform.envconfig import scaffold_components
from marty_platform.repo import Repo

# --- overlays (scaffolded once) ----------------------------------------------------------------

def overlay_kustomization(svc: Service, env: str, extra_components: list[str],
                          tag: str = "1.0.0") -> str:
    """`extra_components`: the env's own (its env.yaml's scaffold.components)."""
    # No digest: only a release (scripts/release) knows it. Until one is recorded, validation of
    # the envs that require digests says so.
    image: dict = {"tag": tag}
    components = [f"../../../base/components/{name}"
                  for name in ["mesh-sidecar", *extra_components]]
    doc = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "namespace": f"marty-{env}",
        "resources": [f"../../../base/services/{svc.name}"],
        "helmGlobals": {"chartHome": "../../../charts"},
        "helmCharts": [{
            "name": "microservice", "releaseName": svc.name, "namespace": f"marty-{env}",
            "valuesFile": f"../../../base/services/{svc.name}/values.yaml",
            "additionalValuesFiles": [f"../../../base/profiles/{env}.yaml"],
            "valuesInline": {"image": image},
        }],
        "components": components,
    }
    return (f"# {svc.name} in {env}: the chart with the service's values "
            f"(base/services/{svc.name}), the {env} profile (base/profiles/{env}.yaml)\n"
            "# and the image this env runs. Promotion PRs change valuesInline.image only.\n"
            + yaml.dump(doc, Dumper=IndentedDumper, sort_keys=False))


def missing_overlays(root: Path) -> list[Path]:
    """Overlay kustomizations of catalog services that do not exist yet."""
    return [root / "overlays" / env / s.name / "kustomization.yaml"
            for s in load(root) for env in Repo(root).envs()
            if not (root / "overlays" / env / s.name / "kustomization.yaml").exists()]


def scaffold(root: Path) -> list[Path]:
    """Create the overlays of catalog services that have none yet. Existing overlays are never
    touched: they hold each env's image versions."""
    created = missing_overlays(root)
    by_name = {s.name: s for s in load(root)}
    for path in created:
        env, name = path.parts[-3], path.parts[-2]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(overlay_kustomization(by_name[name], env,
                                              scaffold_components(root, env)), encoding="utf-8")
    return created


# --- SLO spec stubs (scaffolded once) -------------------------------------------------------------

SLO_DIR = "monitoring/slo"
SLO_AVAILABILITY_OBJECTIVE = 99.9
SLO_LATENCY_OBJECTIVE = 99.0
RUNBOOKS = "https://github.com/marty-platform/marty-platform/blob/main/docs/runbooks/"

_SLO_STUB = """\
# SLOs for {name} (team {team}). Sloth prometheus/v1 spec; schema: schemas/slo-spec.schema.json.
# Generated rules: monitoring/rules/generated/slo-{name}.yaml (regenerate, never edit them).
# Scaffolded from catalog/services.yaml with the default objectives; tune them, it is never
# overwritten.
version: prometheus/v1
service: {name}
labels:
  team: {team}
  tier: marty
slos:
- name: requests-availability
  objective: {availability}
  description: {availability}% of {label} requests to {name} succeed over 30 days.
  sli:
    events:
      error_query: {error_query}
      total_query: {total_query}
  alerting:
    name: SLOAvailabilityBudgetBurn
    labels:
      category: availability
      team: {team}
      service: {name}
    annotations:
      summary: '{svc_label} is burning its availability error budget ({slo_label})'
      runbook_url: {runbooks}slo-availability-budget-burn.md
    page_alert:
      labels:
        severity: critical
    ticket_alert:
      labels:
        severity: warning
- name: requests-latency
  objective: {latency}
  description: {latency}% of {label} requests to {name} complete within 2s over 30 days.
  sli:
    events:
      error_query: |-
        (
          sum(rate({histogram}{{service="{name}",le="+Inf"}}[{{{{.window}}}}]))
          -
          sum(rate({histogram}{{service="{name}",le="2"}}[{{{{.window}}}}]))
        )
      total_query: sum(rate({histogram}{{service="{name}",le="+Inf"}}[{{{{.window}}}}]))
  alerting:
    name: SLOLatencyBudgetBurn
    labels:
      category: latency
      team: {team}
      service: {name}
    annotations:
      summary: '{svc_label} is burning its latency error budget ({slo_label})'
      runbook_url: {runbooks}slo-latency-budget-burn.md
    page_alert:
      labels:
        severity: critical
    ticket_alert:
      labels:
        severity: warning
"""


def slo_spec_stub(svc: Service) -> str:
    """The default SLO spec of a service: availability (99.9%) and latency under 2s (99%),
    measured on the RED metrics of its protocol."""
    window = "[{{.window}}]"
    if svc.protocol == "http":
        label, histogram = "HTTP", "marty_http_request_duration_seconds_bucket"
        error = f'sum(rate(marty_http_requests_total{{service="{svc.name}",code=~"5.."}}{window}))'
        total = f'sum(rate(marty_http_requests_total{{service="{svc.name}"}}{window}))'
    else:
        label, histogram = "gRPC", "marty_grpc_request_duration_seconds_bucket"
        error = f'sum(rate(marty_grpc_errors_total{{service="{svc.name}"}}{window}))'
        total = f'sum(rate(marty_grpc_requests_total{{service="{svc.name}"}}{window}))'
    return _SLO_STUB.format(name=svc.name, team=svc.team, label=label, histogram=histogram,
                            error_query=error, total_query=total, runbooks=RUNBOOKS,
                            svc_label="{{$labels.sloth_service}}",
                            slo_label="{{$labels.sloth_slo}}",
                            availability=SLO_AVAILABILITY_OBJECTIVE,
                            latency=SLO_LATENCY_OBJECTIVE)


def missing_slo_specs(root: Path) -> list[Path]:
    """SLO specs of catalog services that do not exist yet (nothing without monitoring/slo/)."""
    directory = root / SLO_DIR
    if not directory.is_dir():
        return []
    return [directory / f"{s.name}.yaml" for s in load(root)
            if not (directory / f"{s.name}.yaml").exists()]


def scaffold_slo_specs(root: Path) -> list[Path]:
    """Create the SLO spec stubs of catalog services that have none. Existing specs are never
    touched: teams own their objectives."""
    created = missing_slo_specs(root)
    by_name = {s.name: s for s in load(root)}
    for path in created:
        path.write_text(slo_spec_stub(by_name[path.stem]), encoding="utf-8")
    return created
