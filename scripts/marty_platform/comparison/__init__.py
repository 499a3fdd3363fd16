"""The one comparison of Kubernetes objects, on deepdiff, shared by `scripts/diff` and `scripts/drift`.

`noise` strips what never carries intent (kustomize bookkeeping, checksum annotations, status and
server-set metadata), `lists` matches list items by the key Kubernetes merges them by,
`quantities` makes `0.5` equal `500m` and `1Gi` equal `1024Mi`, and `changes` runs DeepDiff with
those rules and turns its tree into the (path, before, after) changes reports print.
"""
from marty_platform.comparison.changes import field_changes

__all__ = ["field_changes"]
