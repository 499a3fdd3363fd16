"""What never carries intent, removed before both diff and drift compare.

Kustomize's `config.kubernetes.io/*` bookkeeping and checksum annotations (they only repeat other
objects' content); status and the metadata the API server sets (uid, resourceVersion,
managedFields...), which no apply ever writes.
"""
from __future__ import annotations

import re

NOISE_ANNOTATION_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/")
CHECKSUM_ANNOTATION = re.compile(r"(^|/)checksum[-/]|(^|/)checksum$")
SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                   "selfLink", "deletionGracePeriodSeconds")
SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",
                      "deployment.kubernetes.io/revision",
                      "deprecated.daemonset.template.generation")


def strip_noise(obj: dict) -> dict:
    """`obj` without bookkeeping annotations, status and server-set metadata. The maps it changes
    are copied, the rest is shared with `obj`: deep-copy first to change the result in place."""
    result = {k: v for k, v in obj.items() if k != "status"}
    if isinstance(result.get("metadata"), dict):
        result["metadata"] = meta = {k: v for k, v in result["metadata"].items()
                                     if k not in SERVER_METADATA}
        _strip_annotations(meta, SERVER_ANNOTATIONS)
    spec = result.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    if isinstance(template, dict) and isinstance(template.get("metadata"), dict):
        result["spec"] = {**spec, "template": {**template, "metadata": dict(template["metadata"])}}
        _strip_annotations(result["spec"]["template"]["metadata"])
    return result


def _strip_annotations(meta: dict, server_set: tuple[str, ...] = ()) -> None:
    """In place, on a copy of the metadata map: its annotations are replaced, not changed."""
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        return
    kept = {name: value for name, value in annotations.items()
            if not (name.startswith(NOISE_ANNOTATION_PREFIXES) or CHECKSUM_ANNOTATION.search(name)
                    or name in server_set)}
    if kept:
        meta["annotations"] = kept
    else:
        del meta["annotations"]
