"""Hides secrets before anything is printed.

What is a credential is decided by one rule, `policies/data/credentials.yaml`, which the
credentials policy reads too: values of Secrets, of env vars, keys and fields whose name is a
credential's (DB_PASS, SMTP_CREDS, pwd, dbPassword...), the password of a URL
(`postgres://user:pass@`), the value of a credential option (`--password=...`, `--token X`), the
credential settings of a config file embedded in a value (YAML, JSON, INI, properties), and any
string that looks like key material (PEM blocks, JWTs, cloud access keys, long random-looking
tokens) become `<redacted:xxxxxxxx>`. The marker is a keyed hash with a key drawn per process: two
equal values get the same marker within one run, so a diff still shows *that* a secret changed, but
the marker reveals nothing about the value and cannot be compared across runs.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marty_platform.errors import ToolError
from marty_platform.yamlio import YamlError, load_one

# The rule ships with the tool (this checkout's policies/), whichever tree is being diffed.
CREDENTIAL_RULE = Path(__file__).resolve().parents[3] / "policies" / "data" / "credentials.yaml"
KEY_MATERIAL = [
    re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE|KEY)-----"),
    re.compile(r"^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$"),  # JWT
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\b(ghp|gho|ghs|ghu|github_pat|glpat|xox[abp])[-_][A-Za-z0-9_-]{10,}"),
]
_RANDOM_TOKEN = re.compile(r"^[A-Za-z0-9+/_=-]{32,}$")
_NOT_SECRET = re.compile(r"^sha(256|512):|@sha256:|^[a-z0-9.-]+/")  # digests, image refs, paths
_NOT_CREDENTIAL_FIELDS = ("name", "kind", "apiVersion", "image")
_KEY = os.urandom(32)


@dataclass(frozen=True)
class CredentialRule:
    names: tuple[re.Pattern, ...]
    in_values: tuple[re.Pattern, ...]
    options: tuple[re.Pattern, ...]
    settings: tuple[re.Pattern, ...]
    placeholder: re.Pattern

    def is_credential_value(self, value: str) -> bool:
        return not value.startswith("<redacted:") and not self.placeholder.match(value)

    def is_credential_name(self, name: str) -> bool:
        return any(p.search(name) for p in self.names)

    def is_option(self, argument: str) -> bool:
        return any(p.search(argument) for p in self.options)


@lru_cache(maxsize=1)
def credential_rule() -> CredentialRule:
    try:
        rule = load_one(CREDENTIAL_RULE)["marty"]["credentials"]
        return CredentialRule(*(tuple(re.compile(p) for p in rule[field])
                                for field in ("names", "inValues", "options", "settings")),
                              placeholder=re.compile(rule["placeholder"]))
    except YamlError as exc:
        raise ToolError(f"{CREDENTIAL_RULE.name}:{exc.line or 1}: cannot read the credential "
                        f"rule: {exc.message}") from None
    except (OSError, KeyError, TypeError, re.error) as exc:
        # Without the rule nothing can be printed safely.
        raise ToolError(f"{CREDENTIAL_RULE.name}: cannot read the credential rule "
                        f"({type(exc).__name__})") from None


def marker(value: object) -> str:
    digest = hmac.new(_KEY, str(value).encode(), hashlib.sha256).hexdigest()[:8]
    return f"<redacted:{digest}>"


def looks_like_key_material(text: str) -> bool:
    if any(p.search(text) for p in KEY_MATERIAL):
        return True
    if _NOT_SECRET.search(text) or not _RANDOM_TOKEN.match(text):
        return False
    # Random tokens mix letters and digits; identifiers (alert names, CamelCase kinds) have none.
    return bool(re.search(r"[0-9]", text)) and bool(re.search(r"[A-Za-z]", text)) and \
        len(set(text)) >= 16


def _replace_group(pattern: re.Pattern, text: str, wanted=lambda match: True) -> str:
    def hide(match: re.Match) -> str:
        if not wanted(match) or not credential_rule().is_credential_value(match.group("secret")):
            return match.group(0)
        start, end = match.span("secret")
        whole = match.group(0)
        offset = match.start(0)
        return whole[: start - offset] + marker(match.group("secret")) + whole[end - offset:]
    return pattern.sub(hide, text)


def redact_text(text: str) -> str:
    """`text` with the credentials inside it hidden: URL passwords, credential options, and the
    credential settings of an embedded config file."""
    rule = credential_rule()
    for pattern in rule.in_values:
        text = _replace_group(pattern, text)
    for pattern in rule.settings:
        text = _replace_group(pattern, text,
                              lambda match: rule.is_credential_name(match.group("name")))
    return text


def redact_object(obj: dict) -> dict:
    """A redacted deep copy of a Kubernetes object (`_walk` rebuilds every map and list; the maps
    changed before it are copied, never changed in `obj`)."""
    result = dict(obj)
    if result.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if isinstance(result.get(field), dict):
                result[field] = {k: marker(v) for k, v in result[field].items()}
    meta = result.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        annotations = {k: v for k, v in meta["annotations"].items()
                       if k != "kubectl.kubernetes.io/last-applied-configuration"}
        result["metadata"] = {**meta, "annotations": annotations}
    return _walk(result)


def _walk(value, name: str = ""):
    rule = credential_rule()
    if isinstance(value, dict):
        if isinstance(value.get("name"), str) and "value" in value and \
                rule.is_credential_name(value["name"]) and \
                isinstance(value["value"], (str, int, float)):
            if rule.is_credential_value(str(value["value"])):
                value = {**value, "value": marker(value["value"])}  # env var / parameter
        return {k: _walk(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_walk(v, name) for v in value]
        for index in range(1, len(items)):  # ["--password", "..."]
            if isinstance(value[index - 1], str) and rule.is_option(value[index - 1]) and \
                    isinstance(items[index], str) and rule.is_credential_value(items[index]):
                items[index] = marker(value[index])
        return items
    if isinstance(value, str):
        if not rule.is_credential_value(value):
            return value
        if name and name not in _NOT_CREDENTIAL_FIELDS and rule.is_credential_name(name) and \
                not _is_reference(name):
            return marker(value)
        if looks_like_key_material(value):
            return marker(value)
        return redact_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and \
            name not in _NOT_CREDENTIAL_FIELDS and rule.is_credential_name(name):
        return marker(value)  # `pwd: 123456`
    return value


def _is_reference(name: str) -> bool:
    """Fields that name a secret rather than hold one (secretName, secretKeyRef...)."""
    return bool(re.search(r"(Name|Ref|Namespace|Path)$", name)) or name in ("key",)
