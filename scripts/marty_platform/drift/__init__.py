"""Drift detection: the env's rendered objects (git) against what a cluster runs (live).

`live` fetches or loads live objects, `rules` reads the ignore configuration, `defaults` knows
what the API server adds, `detect` normalises and compares (with `marty_platform.comparison`, as
the diffs do), `report` prints.
"""
