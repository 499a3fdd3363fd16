"""Hides secrets before anything is printed.

Secret `data`/`stringData` values, values of env vars and config keys whose name looks like a
credential (PASSWORD, SECRET, TOKEN, KEY...), and any string that looks like key material (PEM
blocks, JWTs, cloud access keys, long random-looking tokens) become `<redacted:xxxxxxxx>`. The
marker is a keyed hash with a key drawn per process: two equal values get the same marker within one
run, so a diff still shows *that* a secret changed, but the marker reveals nothing about the value
and cannot be compared across runs.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import os
import re

CREDENTIAL_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|(^|[_.-])KEY$|"
                             r"CREDENTIAL|AUTH", re.IGNORECASE)
KEY_MATERIAL = [
    re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE|KEY)-----"),
    re.compile(r"^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$"),  # JWT
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\b(ghp|gho|ghs|ghu|github_pat|glpat|xox[abp])[-_][A-Za-z0-9_-]{10,}"),
]
_RANDOM_TOKEN = re.compile(r"^[A-Za-z0-9+/_=-]{32,}$")
_NOT_SECRET = re.compile(r"^sha(256|512):|@sha256:|^[a-z0-9.-]+/")  # digests, image refs, paths
_KEY = os.urandom(32)


def marker(value: object) -> str:
    digest = hmac.new(_KEY, str(value).encode(), hashlib.sha256).hexdigest()[:8]
    return f"<redacted:{digest}>"


def looks_like_key_material(text: str) -> bool:
    if any(p.search(text) for p in KEY_MATERIAL):
        return True
    if _NOT_SECRET.search(text) or not _RANDOM_TOKEN.match(text):
        return False
    classes = sum(bool(re.search(c, text)) for c in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and len(set(text)) >= 16


def redact_object(obj: dict) -> dict:
    """A redacted deep copy of a Kubernetes object."""
    result = copy.deepcopy(obj)
    if result.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if isinstance(result.get(field), dict):
                result[field] = {k: marker(v) for k, v in result[field].items()}
    meta = result.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        meta["annotations"].pop("kubectl.kubernetes.io/last-applied-configuration", None)
    return _walk(result)


def _walk(value, name: str = ""):
    if isinstance(value, dict):
        if isinstance(value.get("name"), str) and "value" in value and \
                CREDENTIAL_NAME.search(value["name"]) and isinstance(value["value"], str):
            value = {**value, "value": marker(value["value"])}  # env var / parameter
        return {k: _walk(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, name) for v in value]
    if isinstance(value, str):
        if value.startswith("<redacted:"):
            return value
        if name and name not in ("name", "kind", "apiVersion", "image") and \
                CREDENTIAL_NAME.search(name) and not _is_reference(name):
            return marker(value)
        if looks_like_key_material(value):
            return marker(value)
    return value


def _is_reference(name: str) -> bool:
    """Fields that name a secret rather than hold one (secretName, secretKeyRef...)."""
    return bool(re.search(r"(Name|Ref|Namespace|Path)$", name)) or name in ("key",)
