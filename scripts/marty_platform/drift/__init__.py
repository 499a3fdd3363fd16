"""Drift detection: the env's rendered objects (git) against what a cluster runs (live).

`live` fetches or loads live objects, `rules` reads the ignore configuration, `defaults` removes
what the API server and controllers add, `detect` compares, `report` prints.
"""
