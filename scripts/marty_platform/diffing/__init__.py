"""Semantic diffs of rendered Kubernetes objects: between git refs, between envs, against a cluster.

One concern per module: `normalize` maps namespaces across envs, `matching` pairs objects (their
field-level changes come from `marty_platform.comparison`, shared with drift), `redact` hides
secrets, `risk` flags dangerous changes, `gitref` renders other refs in throw-away worktrees,
`compare` puts them together, and `report_*` print the result.
"""
