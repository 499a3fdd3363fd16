#!/usr/bin/env bash
# What a typical hand-written validate.sh does: each overlay in turn, kustomize build piped to
# kubeconform, then conftest on the same overlay. Used only as the benchmark's baseline.
set -uo pipefail
crd_args=()
[[ -n "${CRD_SCHEMAS:-}" ]] && crd_args=(-schema-location "$CRD_SCHEMAS/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")
status=0
for overlay in "$TREE"/overlays/*/*/; do
  [[ -f "$overlay/kustomization.yaml" ]] || continue
  out=$(mktemp --suffix=.yaml)
  "$TOOLS/kustomize" build --enable-helm --helm-command "$TOOLS/helm" \
    --load-restrictor LoadRestrictionsNone "$overlay" > "$out" || status=1
  "$TOOLS/kubeconform" -strict -summary \
    -schema-location "$K8S_SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "${crd_args[@]}" "$out" || status=1
  "$TOOLS/conftest" test --no-color --all-namespaces --policy "$TREE/policies" \
    --data "$TREE/policies/data" "$out" || status=1
  rm -f "$out"
done
exit $status
