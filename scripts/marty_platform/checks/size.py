"""Objects the API server would refuse for their size alone.

Two limits, both enforced by the cluster, not by any schema:
- etcd refuses a request larger than its `--max-request-bytes`, 1.5 MiB by default (etcd docs,
  "System limits"); Kubernetes stores each object in one etcd request.
- ConfigMap and Secret data may not exceed 1 MiB (corev1.MaxSecretSize, enforced by the API
  server's ValidateConfigMap and ValidateSecret).
"""
from __future__ import annotations

import base64
import binascii
import json

from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, ManifestObject, finding
from marty_platform.rules import Rule, declare

CHECK = "size"
RULES = declare(
    CHECK, "Objects the API server or etcd would refuse for their size.",
    Rule("data-too-large", "a ConfigMap's or Secret's data is over 1 MiB"),
    Rule("object-too-large", "an object is over etcd's 1.5 MiB request limit"),
    module=__name__)
ETCD_REQUEST_LIMIT = 1536 * 1024  # etcd --max-request-bytes default: 1.5 MiB
DATA_LIMIT = 1024 * 1024  # corev1.MaxSecretSize: ConfigMap and Secret data, 1 MiB


def _decoded_length(value: object) -> int:
    text = str(value)
    try:
        return len(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return len(text.encode("utf-8"))


def _data_size(obj: ManifestObject) -> int | None:
    """Bytes of data the API server counts against DATA_LIMIT; None for other kinds."""
    kind, data = obj.data.get("kind"), obj.data
    if obj.data.get("apiVersion") != "v1" or kind not in ("ConfigMap", "Secret"):
        return None

    def entries(name: str) -> dict:
        value = data.get(name)
        return value if isinstance(value, dict) else {}

    if kind == "ConfigMap":
        return (sum(len(str(k)) + len(str(v).encode("utf-8")) for k, v in entries("data").items())
                + sum(len(str(k)) + _decoded_length(v) for k, v in entries("binaryData").items()))
    return (sum(_decoded_length(v) for v in entries("data").values())
            + sum(len(str(v).encode("utf-8")) for v in entries("stringData").values()))


def check(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    result = CheckResult(CHECK, env=batch.env)
    for path, obj in zip(batch.staged.paths, batch.objects):
        result.stats.checked += 1
        where = dict(file=obj.file, line=obj.line, env=batch.env, resource=str(obj.key))
        data_size = _data_size(obj)
        if data_size is not None and data_size > DATA_LIMIT:
            result.findings.append(finding(
                CHECK, "data-too-large",
                f"{obj.data['kind']} data is {data_size:,} bytes; the API server refuses more "
                f"than {DATA_LIMIT:,} (1 MiB)", **where))
        # The staged file is the object's indented JSON: never smaller than what is sent.
        if path.stat().st_size > ETCD_REQUEST_LIMIT:
            size = len(json.dumps(obj.data, separators=(",", ":")).encode("utf-8"))
            if size > ETCD_REQUEST_LIMIT:
                result.findings.append(finding(
                    CHECK, "object-too-large",
                    f"the object is {size:,} bytes as JSON; etcd refuses requests over "
                    f"{ETCD_REQUEST_LIMIT:,} bytes (1.5 MiB), so the cluster cannot store it",
                    **where))
    return [result]
