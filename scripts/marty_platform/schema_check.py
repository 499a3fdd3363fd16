"""JSON-schema validation of the repo's own config files (schemas/)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema

from marty_platform.model import Finding, finding
from marty_platform.repo import Repo
from marty_platform.yamlio import Document, locate_pointer


@lru_cache(maxsize=None)
def _validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or '(root)'}: {error.message}"


def schema_errors(repo: Repo, data: object, schema_rel: str) -> list[jsonschema.ValidationError]:
    """Every schema violation, in document order; [] when valid."""
    validator = _validator(repo.root / schema_rel)
    return sorted(validator.iter_errors(data),
                  key=lambda e: ([str(p) for p in e.absolute_path], e.message))


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
