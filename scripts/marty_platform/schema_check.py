"""JSON-schema validation of the repo's own config files (schemas/)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jsonschema
import referencing
import referencing.exceptions

from marty_platform import jsonio
from marty_platform.errors import UsageError
from marty_platform.model import Finding, finding
from marty_platform.repo import Repo
from marty_platform.yamlio import Document, locate_pointer

_REFERENCE_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")


def _unusable(schema_rel: str, line: int | None, why: str) -> UsageError:
    return UsageError(f"{schema_rel}:{line or ''}: not a usable JSON schema: {why}")


def _outside_reference(schema: object) -> str | None:
    """The first reference that does not point into the schema itself ('#...')."""
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _REFERENCE_KEYS and isinstance(value, str) and \
                        not value.startswith("#"):
                    return value
                pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return None


@lru_cache(maxsize=None)
def _validator(root: Path, schema_rel: str) -> jsonschema.protocols.Validator:
    """The validator of a schema of the repo. The schema is a pull request's to edit: it refers
    only to itself, and the validator is given an empty registry, so no reference makes it read
    a file or open a connection (jsonschema would otherwise fetch any URL, file:// included)."""
    path = root / schema_rel
    try:
        schema = jsonio.load_file(path)
    except jsonio.JsonError as exc:
        raise _unusable(schema_rel, exc.line, exc.message) from None
    reference = _outside_reference(schema)
    if reference is not None:
        raise _unusable(schema_rel, jsonio.line_of(path, reference),
                        f"$ref {reference!r} points outside the schema; refer to definitions "
                        "in it with '#/...'")
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise _unusable(schema_rel, None, exc.message) from None
    return cls(schema, format_checker=cls.FORMAT_CHECKER, registry=referencing.Registry())


def describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or '(root)'}: {error.message}"


def schema_errors(repo: Repo, data: object, schema_rel: str) -> list[jsonschema.ValidationError]:
    """Every schema violation, in document order; [] when valid."""
    validator = _validator(repo.root, schema_rel)
    try:
        errors = list(validator.iter_errors(data))
    except referencing.exceptions.Unresolvable as exc:
        raise _unusable(schema_rel, None, f"unresolvable reference {exc}") from None
    except RecursionError:  # a schema referring to itself in a loop (`{"$ref": "#"}`)
        raise _unusable(schema_rel, None, "its references loop") from None
    return sorted(errors, key=lambda e: ([str(p) for p in e.absolute_path], e.message))


def validate_instance(repo: Repo, data: object, schema_rel: str) -> list[str]:
    """Messages for every schema violation, most specific first; [] when valid."""
    return [describe(e) for e in schema_errors(repo, data, schema_rel)]


def schema_findings(repo: Repo, path: Path, doc: Document | None, schema_rel: str,
                    rule: str) -> list[tuple[tuple[str | int, ...], Finding]]:
    """Each schema violation of a config file's document as a finding at the offending field's
    line, with the path of that field in the document (so callers can tell which entry is bad)."""
    data = doc.data if doc else None
    result = []
    for error in schema_errors(repo, data, schema_rel):
        pointer = "".join(f"/{part}" for part in error.absolute_path)
        line = locate_pointer(path, doc.line, pointer) if doc else None
        result.append((tuple(error.absolute_path), finding(
            "schema", rule, f"{describe(error)} (schema {schema_rel})", file=repo.rel(path),
            line=line)))
    return result
