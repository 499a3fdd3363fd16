"""The strict YAML loader, in process: the cases PyYAML alone gets wrong."""
from __future__ import annotations

import pytest

from marty_platform.yamlio import MAX_EXPANDED_NODES, YamlError, decode, load_documents


def error(text: str) -> YamlError:
    with pytest.raises(YamlError) as caught:
        load_documents(text)
    return caught.value


def test_documents_and_their_lines():
    docs = load_documents("a: 1\n---\n# comment\nb: 2\n")
    assert [(d.data, d.line) for d in docs] == [({"a": 1}, 1), ({"b": 2}, 4)]


def test_duplicate_key_is_located():
    exc = error("top:\n  a: 1\n  b: 2\n  a: 3\n")
    assert (exc.rule, exc.line) == ("duplicate-key", 4)
    assert "first defined on line 2" in exc.message


def test_merge_keys_are_not_duplicates():
    [doc] = load_documents("base: &b {x: 1}\nchild:\n  <<: *b\n  x: 2\n")
    assert doc.data["child"] == {"x": 2}


def test_alias_bomb_is_refused_without_expanding_it():
    levels = ["a: &a [" + ",".join(['"x"'] * 10) + "]"]
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    exc = error("\n".join(levels) + "\n")
    assert exc.rule == "alias-bomb"
    assert f"{MAX_EXPANDED_NODES:,}" in exc.message


def test_ordinary_aliases_are_fine():
    [doc] = load_documents("a: &a [1, 2]\nb: *a\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_python_tags_are_not_constructed():
    exc = error("x: !!python/object/apply:os.system ['true']\n")
    assert exc.rule == "syntax" and exc.line == 1


def test_not_utf8():
    with pytest.raises(YamlError) as caught:
        decode(b"a: 1\nb: \xff\n")
    assert (caught.value.rule, caught.value.line) == ("encoding", 2)


def test_control_characters_are_located():
    exc = error("a: 1\nb: \x07\n")
    assert (exc.rule, exc.line) == ("syntax", 2)
    assert "#x0007" in exc.message
