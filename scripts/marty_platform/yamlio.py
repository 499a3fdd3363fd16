"""Safe, strict YAML loading, to the JSON data model Kubernetes reads.

PyYAML silently keeps the last of two duplicate keys, happily expands a "billion laughs" alias
bomb, and libyaml's composer recurses once per nesting level (a document nested 50,000 deep
overflows the C stack). The tools downstream disagree about all of these. This loader turns each
into a located error. It only ever builds plain data (safe loading): no tags that construct Python
objects.

Kubernetes reads YAML through sigs.k8s.io/yaml, which decodes with go-yaml v2 and converts the
result to JSON. The loader reads a document the same way, so every check sees what the API server
would:
- a plain scalar that looks like a date (`2025-02-30`, valid or not) stays the string it is;
- `1:20` is a string, not the YAML 1.1 base-60 integer 80; `=` is a string;
- mapping keys are strings (`1:` is the key "1", `true:` the key "true"), so two keys are
  duplicates when they name the same JSON key;
- what JSON cannot carry is an error at its line: `.nan`, `.inf`, integers outside int64,
  `!!binary`, `!!set`, `!!omap`, `!!pairs` and explicit `!!timestamp`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from marty_platform.errors import UsageError
from marty_platform.rules import Rule

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is present in supported installs
    _BaseLoader = yaml.SafeLoader

# An expanded document larger than this many nodes is an alias bomb, not configuration.
MAX_EXPANDED_NODES = 1_000_000
# Nesting deeper than this is refused before anything is composed. Real configuration stays far
# below it (a CRD's openAPIV3Schema, the deepest we have, nests about 40 levels); it also keeps
# every recursive walk over loaded data (ours, json's) inside Python's recursion limit.
MAX_DEPTH = 200
# Text with fewer nesting indicators than this cannot nest deep enough to hurt the composer.
SAFE_COMPOSE_DEPTH = 1000
# JSON numbers that Kubernetes decodes into integers are int64.
_INT64 = range(-(2 ** 63), 2 ** 63)

_TAG = "tag:yaml.org,2002:"
_MERGE = f"{_TAG}merge"
# YAML 1.1's int and float, as PyYAML resolves them, without the base-60 forms go-yaml lacks.
_INT = re.compile(r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+)$""", re.X)
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X)
_NOT_JSON_TAGS = ("binary", "set", "omap", "pairs", "timestamp")


# The rules a YamlError carries: every check that reports parse problems declares them.
RULES = (
    Rule("syntax", "the file is not well-formed YAML"),
    Rule("duplicate-key", "a mapping repeats a key (YAML's last-one-wins would hide the first)"),
    Rule("not-json", "a value YAML 1.1 would read as something else (a date, a set, yes/no as a "
         "boolean, a non-string key); quote it"),
    Rule("too-deep", "the document nests too deeply to load safely"),
    Rule("encoding", "the file is not UTF-8 text"),
    Rule("alias-bomb", "aliases expand to a huge document (an alias bomb)"),
)


class YamlError(Exception):
    def __init__(self, message: str, line: int | None = None, rule: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.rule = rule


@dataclass(frozen=True)
class Document:
    data: object
    line: int  # 1-based line where the document's content starts


def _resolvers() -> dict:
    """The safe loader's implicit resolvers, minus timestamps, `=` and base-60 numbers."""
    replaced = {f"{_TAG}int": _INT, f"{_TAG}float": _FLOAT}
    dropped = {f"{_TAG}timestamp", f"{_TAG}value"}
    table = {}
    for first, entries in _BaseLoader.yaml_implicit_resolvers.items():
        kept = [(tag, replaced.get(tag, regexp)) for tag, regexp in entries if tag not in dropped]
        if kept:
            table[first] = kept
    return table


def json_key(key: object) -> object:
    """The JSON object key sigs.k8s.io/yaml makes of a YAML mapping key."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return str(key)
    return key  # a string; anything unhashable is refused by the constructor


def _line(node) -> int:
    return node.start_mark.line + 1


def _duplicate(key: object, key_node, first: int) -> YamlError:
    return YamlError(f"duplicate key {key!r} (first defined on line {first})",
                     line=_line(key_node), rule="duplicate-key")


class _StrictLoader(_BaseLoader):
    yaml_implicit_resolvers = _resolvers()

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            # `!!int abc`, `!!bool maybe`, a 5000-digit number: Python refuses the value.
            raise YamlError(f"cannot read {node.tag.replace(_TAG, '!!')} value: {exc}",
                            line=_line(node), rule="not-json") from None

    def construct_mapping(self, node, deep=False):
        merges = any(key_node.tag == _MERGE for key_node, _ in node.value)
        if merges:  # duplicates among the document's own keys, before merged keys join them
            self._refuse_duplicates([(k, v) for k, v in node.value if k.tag != _MERGE])
            self.flatten_mapping(node)  # merged keys come first, so the document's own win
        mapping: dict = {}
        lines: dict = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, deep)
            if not merges:
                if key in lines:
                    raise _duplicate(key, key_node, lines[key])
                lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def _key(self, key_node, deep: bool) -> object:
        key = self.construct_object(key_node, deep=deep)
        if type(key) is str:
            return key
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", None,
                "found a mapping key that is not a string, number or boolean",
                key_node.start_mark)
        return json_key(key)

    def _refuse_duplicates(self, pairs) -> None:
        lines: dict = {}
        for key_node, _ in pairs:
            key = self._key(key_node, True)
            if key in lines:
                raise _duplicate(key, key_node, lines[key])
            lines[key] = _line(key_node)

    def construct_yaml_int(self, node):
        value = super().construct_yaml_int(node)
        if value not in _INT64:
            shown = (node.value if len(node.value) <= 24
                     else f"{node.value[:20]}... ({len(node.value)} digits)")
            raise YamlError(f"integer {shown} does not fit in 64 bits; Kubernetes cannot "
                            "read it (quote it if it is a string)", line=_line(node),
                            rule="not-json")
        return value

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if math.isnan(value) or math.isinf(value):
            raise YamlError(f"{node.value} is not a JSON number; Kubernetes cannot read it "
                            "(quote it if it is a string)", line=_line(node), rule="not-json")
        return value

    def construct_not_json(self, node):
        raise YamlError(f"{node.tag.replace(_TAG, '!!')} has no JSON form; Kubernetes cannot "
                        "read it (use a plain string, list or mapping)", line=_line(node),
                        rule="not-json")


# The key under which `mapping_lines=True` records each mapping's 1-based line.
MAPPING_LINE = "__line__"


class _LineLoader(_StrictLoader):
    """The strict loader, recording every mapping's line (for files whose entries are reported
    one by one: rule files, route tables)."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[MAPPING_LINE] = _line(node)
        return mapping


_StrictLoader.add_constructor(f"{_TAG}map", _StrictLoader.construct_yaml_map)
_StrictLoader.add_constructor(f"{_TAG}int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor(f"{_TAG}float", _StrictLoader.construct_yaml_float)
for _name in _NOT_JSON_TAGS:
    _StrictLoader.add_constructor(f"{_TAG}{_name}", _StrictLoader.construct_not_json)


def _nesting_bound(text: str) -> int:
    """An upper bound of the document's nesting: every collection opens with one of these."""
    return sum(text.count(indicator) for indicator in "[{-?:")


def check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before anything is composed.

    libyaml's composer recurses once per level and overflows the C stack somewhere past 20,000
    levels; its parser keeps its own stack. Where the text could nest that deep at all, the
    depth is measured on the event stream, so any depth is a finding and never a crash; shallower
    text is measured on the composed tree (`_measure`), which costs nothing extra.
    """
    if _nesting_bound(text) <= SAFE_COMPOSE_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(_line(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _too_deep(line: int) -> YamlError:
    return YamlError(f"document nests deeper than {MAX_DEPTH} levels; refusing to load it",
                     line=line, rule="too-deep")


def _measure(root) -> int:
    """Node count of the document with every alias expanded, computed without expanding it.

    Raises YamlError when the expanded document nests deeper than MAX_DEPTH: aliases nest too
    (`b: &b [*a]`, `c: &c [*b]`, ...), and whatever walks the data later walks them expanded.
    """
    memo: dict[int, tuple[int, int]] = {}  # node -> (expanded node count, expanded height)
    active: set[int] = set()

    def visit(node, level: int) -> tuple[int, int]:
        ident = id(node)
        if ident in active:  # recursive alias: infinite when expanded
            return MAX_EXPANDED_NODES + 1, 0
        if ident not in memo:
            if isinstance(node, yaml.ScalarNode):
                memo[ident] = (1, 0)
            elif level >= MAX_DEPTH:
                raise _too_deep(_line(node))
            else:
                active.add(ident)
                children = ([n for pair in node.value for n in pair]
                            if isinstance(node, yaml.MappingNode) else node.value)
                total, height = 1, 0
                for child in children:
                    count, child_height = visit(child, level + 1)
                    total, height = total + count, max(height, child_height)
                    if total > MAX_EXPANDED_NODES:
                        break
                active.discard(ident)
                memo[ident] = (total, height + 1)
        count, height = memo[ident]
        if level + height > MAX_DEPTH:
            raise _too_deep(_line(node))
        return count, height

    return visit(root, 0)[0]


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(f"file is not UTF-8 (invalid byte at offset {exc.start})", line=line,
                        rule="encoding") from None


def _located(text: str, call):
    """Run a parse of `text`, turning PyYAML's errors into a YamlError with a 1-based line."""
    try:
        return call()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"{exc.problem or exc.context}", line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        raise YamlError(f"{exc.reason}: character #x{exc.character:04x}" if isinstance(
            exc.character, int) else str(exc.reason), line=line) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0]) from None
    except RecursionError:
        raise YamlError("document nests too deeply to load", rule="too-deep") from None


def load_documents(text: str, *, mapping_lines: bool = False) -> list[Document]:
    """Every document of a YAML stream, strictly; raises YamlError with a 1-based line.
    `mapping_lines`: every mapping also holds its line under MAPPING_LINE."""
    _located(text, lambda: check_depth(text))
    loader = (_LineLoader if mapping_lines else _StrictLoader)(text)
    docs: list[Document] = []

    def load() -> None:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if _measure(node) > MAX_EXPANDED_NODES:
                raise YamlError(
                    f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases "
                    "(an alias bomb); refusing to load it", line=_line(node), rule="alias-bomb")
            docs.append(Document(loader.construct_document(node), _line(node)))

    try:
        _located(text, load)
    finally:
        loader.dispose()
    return docs


@lru_cache(maxsize=256)
def _composed(path: Path, mtime_ns: int) -> tuple:
    """The node trees of a file's documents (composition only: nothing is constructed)."""
    try:
        text = decode(path.read_bytes())
        check_depth(text)
        return tuple(node for node in yaml.compose_all(text, Loader=_BaseLoader) if node)
    except (OSError, YamlError, yaml.YAMLError):
        return ()


def locate_pointer(path: Path, doc_line: int | None, pointer: str) -> int | None:
    """1-based line of a JSON pointer (/spec/ports/0/port) inside the document starting at
    `doc_line` (None: the first document), or of its deepest existing parent; None when the
    document is not found."""
    try:
        nodes = _composed(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    node = next((n for n in nodes if doc_line is None or _line(n) == doc_line), None)
    if node is None:
        return None
    line = _line(node)
    for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            line, node = _line(match[0]), match[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = _line(node)
        else:
            break
    return line


def load_file(path: Path, *, mapping_lines: bool = False) -> list[Document]:
    return load_documents(decode(path.read_bytes()), mapping_lines=mapping_lines)


def load_config(path: Path, shown: str) -> object:
    """load_one for a file the tooling cannot work without (a generator's source): a YAML
    problem is a usage error naming `shown`:line (exit 2), never last-one-wins."""
    try:
        return load_one(path)
    except YamlError as exc:
        raise UsageError(f"{shown}:{exc.line or 1}: {exc.message}") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror}") from None


def load_one(path: Path, *, mapping_lines: bool = False) -> object:
    """The single document of a config file (None when empty)."""
    docs = load_file(path, mapping_lines=mapping_lines)
    if len(docs) > 1:
        raise YamlError(f"expected one YAML document, found {len(docs)}", line=docs[1].line)
    return docs[0].data if docs else None
