#!/usr/bin/env bash
# What a typical hand-written validate.sh does: for each overlay, kustomize build piped to
# kubeconform, then conftest on the same overlay. Used only as the benchmark's baseline.
#   baseline.sh             every overlay of $TREE in turn (serial)
#   JOBS=N baseline.sh      every overlay as its own job, N at once (xargs -P N)
#   baseline.sh OVERLAY     that one overlay
#   RENDER_ONLY=1 ...       only the kustomize build of each overlay: the floor under any
#                           validation that renders every overlay with kustomize
set -uo pipefail
crd_args=()
[[ -n "${CRD_SCHEMAS:-}" ]] && crd_args=(-schema-location "$CRD_SCHEMAS/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")

check_overlay() {
  local overlay=$1 status=0 out
  out=$(mktemp --suffix=.yaml)
  "$TOOLS/kustomize" build --enable-helm --helm-command "$TOOLS/helm" \
    --load-restrictor LoadRestrictionsNone "$overlay" > "$out" || status=1
  if [[ -n "${RENDER_ONLY:-}" ]]; then
    rm -f "$out"
    return $status
  fi
  "$TOOLS/kubeconform" -strict -summary \
    -schema-location "$K8S_SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "${crd_args[@]}" "$out" || status=1
  "$TOOLS/conftest" test --no-color --all-namespaces --policy "$TREE/policies" \
    --data "$TREE/policies/data" "$out" || status=1
  rm -f "$out"
  return $status
}

overlays() {
  local overlay
  for overlay in "$TREE"/overlays/*/*/; do
    [[ -f "$overlay/kustomization.yaml" ]] && printf '%s\0' "$overlay"
  done
}

if [[ $# -eq 1 ]]; then
  check_overlay "$1"
elif [[ "${JOBS:-1}" -gt 1 ]]; then
  overlays | xargs -0 -n 1 -P "$JOBS" bash "${BASH_SOURCE[0]}"
else
  status=0
  while IFS= read -r -d '' overlay; do
    check_overlay "$overlay" || status=1
  done < <(overlays)
  exit $status
fi
