"""Reading Terraform files (.tf) as data: blocks, their attributes' values and lines.

python-hcl2 parses; nothing here evaluates an expression. A value that is an expression comes
back as python-hcl2 writes it (`${var.name}`); literals come back as Python values, strings
without their quotes. A file that does not parse is an HclError with the line of the problem, so
a caller reports it as a finding, never as a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions
from lark import Token, Tree

from marty_platform.tools.runner import clean_output

_OPTIONS = SerializationOptions(with_comments=False, strip_string_quotes=True)


class HclError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Block:
    type: str  # module, resource, variable, output, terraform, provider, locals, data
    labels: tuple[str, ...]
    line: int
    body: dict = field(hash=False)  # attribute and nested-block values
    lines: dict[str, int] = field(hash=False)  # attribute -> line

    @property
    def name(self) -> str:
        return self.labels[-1] if self.labels else ""


@dataclass(frozen=True)
class TfFile:
    path: Path
    blocks: tuple[Block, ...]

    def of_type(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.type == kind]


def read(path: Path) -> TfFile:
    """One .tf file; HclError when it is not UTF-8 or does not parse."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise HclError(f"cannot be read: {exc.strerror or exc}") from None
    return _read(path, mtime)


@lru_cache(maxsize=512)
def _read(path: Path, _mtime_ns: int) -> TfFile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise HclError(f"not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise HclError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        tree = hcl2.parses_to_tree(text)
        values = hcl2.loads(text, serialization_options=_OPTIONS)
    except RecursionError:
        raise HclError("nested too deeply to parse") from None
    except Exception as exc:  # noqa: BLE001 - lark and python-hcl2 raise many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # The parser quotes the input it stopped at: cleaned like any tool's output.
        raise HclError(f"does not parse: {clean_output(first, limit=300)}",
                       getattr(exc, "line", None)) from None
    return TfFile(path, tuple(_blocks(tree, values)))


def _blocks(tree: Tree, values: dict) -> list[Block]:
    seen: dict[str, int] = {}
    blocks = []
    for node in _top_level_blocks(tree):
        kind, labels = _header(node)
        index = seen.get(kind, 0)
        seen[kind] = index + 1
        body = _body_of(values.get(kind) or [], index, labels)
        blocks.append(Block(kind, labels, node.meta.line, body, _attribute_lines(node)))
    return blocks


def _top_level_blocks(tree: Tree) -> list[Tree]:
    body = next((c for c in tree.children if isinstance(c, Tree) and c.data == "body"), None)
    return [c for c in body.children if isinstance(c, Tree) and c.data == "block"] if body else []


def _header(block: Tree) -> tuple[str, tuple[str, ...]]:
    kind, labels = "", []
    for child in block.children:
        if isinstance(child, Tree) and child.data == "identifier":
            if kind:
                labels.append(_text(child))
            else:
                kind = _text(child)
        elif isinstance(child, Tree) and child.data in ("string", "string_lit"):
            labels.append(_text(child))
    return kind, tuple(labels)


def _text(node: Tree) -> str:
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token))
                   if t.type not in ("DBLQUOTE",)).strip('"')


def _body_of(entries: list, index: int, labels: tuple[str, ...]) -> dict:
    """python-hcl2 lists the blocks of one type in file order, nested by label."""
    if index >= len(entries):
        return {}
    value = entries[index]
    for label in labels:
        value = value.get(label, {}) if isinstance(value, dict) else {}
    return value if isinstance(value, dict) else {}


def _attribute_lines(block: Tree) -> dict[str, int]:
    body = next((c for c in block.children if isinstance(c, Tree) and c.data == "body"), None)
    lines: dict[str, int] = {}
    for child in body.children if body else ():
        if isinstance(child, Tree) and child.data in ("attribute", "block"):
            name = _text(child.children[0])
            lines.setdefault(name, child.meta.line)
    return lines


def literal_string(value) -> str | None:
    """A string value that is a literal (no interpolation), else None."""
    return value if isinstance(value, str) and "${" not in value else None
