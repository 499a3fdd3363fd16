"""Semantic diffs of rendered Kubernetes objects: between git refs, between envs, against a cluster.

One concern per module: `normalize` strips noise and keys lists by their natural keys, `matching`
pairs objects and computes field-level changes, `redact` hides secrets, `risk` flags dangerous
changes, `gitref` renders other refs in throw-away worktrees, `compare` puts them together, and
`report_*` print the result.
"""
