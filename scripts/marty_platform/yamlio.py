"""Safe, strict YAML loading.

PyYAML silently keeps the last of two duplicate keys and happily expands a "billion laughs" alias
bomb; the tools downstream disagree about both. This loader turns each into a located error. It only
ever builds plain data (safe loading): no tags that construct Python objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is present in supported installs
    _BaseLoader = yaml.SafeLoader

# An expanded document larger than this many nodes is an alias bomb, not configuration.
MAX_EXPANDED_NODES = 1_000_000


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


class _StrictLoader(_BaseLoader):
    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise YamlError(
                        f"duplicate key {key!r} (first defined on line {seen[key]})",
                        line=key_node.start_mark.line + 1,
                        rule="duplicate-key",
                    )
                seen[key] = key_node.start_mark.line + 1
            except TypeError:  # unhashable key: the constructor reports it below
                pass
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)


def _expanded_size(root) -> int:
    """Node count of the document with every alias expanded, computed without expanding it."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        ident = id(node)
        if ident in memo:
            return memo[ident]
        if ident in active:  # recursive alias: infinite when expanded
            return MAX_EXPANDED_NODES + 1
        active.add(ident)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
                if total > MAX_EXPANDED_NODES:
                    break
        active.discard(ident)
        memo[ident] = total
        return total

    return size(root)


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(f"file is not UTF-8 (invalid byte at offset {exc.start})", line=line,
                        rule="encoding") from None


def load_documents(text: str) -> list[Document]:
    """Every document of a YAML stream, strictly; raises YamlError with a 1-based line."""
    loader = _StrictLoader(text)
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if _expanded_size(node) > MAX_EXPANDED_NODES:
                raise YamlError(
                    f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases "
                    "(an alias bomb); refusing to load it",
                    line=node.start_mark.line + 1,
                    rule="alias-bomb",
                )
            docs.append(Document(loader.construct_document(node), node.start_mark.line + 1))
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
        raise YamlError("document nests too deeply to load", rule="alias-bomb") from None
    finally:
        loader.dispose()
    return docs


@lru_cache(maxsize=256)
def _composed(path: Path, mtime_ns: int) -> tuple:
    """The node trees of a file's documents (composition only: nothing is constructed)."""
    try:
        text = decode(path.read_bytes())
        return tuple(node for node in yaml.compose_all(text, Loader=_BaseLoader) if node)
    except (OSError, YamlError, yaml.YAMLError):
        return ()


def locate_pointer(path: Path, doc_line: int, pointer: str) -> int | None:
    """1-based line of a JSON pointer (/spec/ports/0/port) inside the document starting at
    `doc_line`, or of its deepest existing parent; None when the document is not found."""
    try:
        nodes = _composed(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    node = next((n for n in nodes if n.start_mark.line + 1 == doc_line), None)
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_file(path: Path) -> list[Document]:
    return load_documents(decode(path.read_bytes()))


def load_one(path: Path) -> object:
    """The single document of a config file (None when empty)."""
    docs = load_file(path)
    if len(docs) > 1:
        raise YamlError(f"expected one YAML document, found {len(docs)}", line=docs[1].line)
    return docs[0].data if docs else None
