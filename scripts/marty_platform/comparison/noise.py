"""What never carries intent, removed before both diff and drift compare.

Kustomize's `config.kubernetes.io/*` bookkeeping and checksum annotations (they only repeat other
objects' content); status and the metadata the API server sets (uid, resourceVersion,
managedFields...), which no apply ever writes.
"""
from __future__ import annotations

import copy
import re

NOISE_ANNOTATION_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/")
CHECKSUM_ANNOTATION = re.compile(r"(^|/)checksum[-/]|(^|/)checksum$")
SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                   "selfLink", "deletionGracePeriodSeconds")
SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",
                      "deployment.kubernetes.io/revision",
                      "deprecated.daemonset.template.generation")


def strip_noise(obj: dict) -> dict:
    """A deep copy without bookkeeping annotations, status and server-set metadata."""
    result = copy.deepcopy(obj)
    result.pop("status", None)
    meta = result.get("metadata")
    if isinstance(meta, dict):
        for name in SERVER_METADATA:
            meta.pop(name, None)
        _strip_annotations(meta, SERVER_ANNOTATIONS)
    spec = result.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    template_meta = template.get("metadata") if isinstance(template, dict) else None
    if isinstance(template_meta, dict):
        _strip_annotations(template_meta)
    return result


def _strip_annotations(meta: dict, server_set: tuple[str, ...] = ()) -> None:
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        return
    for name in list(annotations):
        if name.startswith(NOISE_ANNOTATION_PREFIXES) or CHECKSUM_ANNOTATION.search(name) or \
                name in server_set:
            del annotations[name]
    if not annotations:
        del meta["annotations"]
