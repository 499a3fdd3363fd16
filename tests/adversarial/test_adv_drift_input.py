"""Whatever `--live` holds, drift answers with one usage line naming the file (exit 2), never a
traceback and never a silent "no drift"; an unknown env or app is a usage error for drift and diff.
"""
from __future__ import annotations

import json

import pytest

BAD_LIVE = {
    "binary.json": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.yaml": "kind: List\nitems: []\n# caf\xe9\n".encode("latin-1"),
    "metadata-string.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: \"oops\"\n",
    "list-of-ints.json": b"[1, 2, 3]",
    "a-string.yaml": b"just a string\n",
    "a-number.json": b"42",
    "items-not-a-list.json": json.dumps({"kind": "List", "items": 5}).encode(),
    "item-without-name.json": json.dumps({"kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "marty-dev"}}]}).encode(),
    "labels-not-a-map.json": json.dumps({"kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "x", "labels": ["a"]}}]}).encode(),
    "broken.json": b'{"kind": "List", "items": [',
    "broken.yaml": b"kind: List\nitems:\n  - {a: [\n",
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
}


def _one_clear_line(result) -> str:
    assert result.code == 2, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("name", sorted(BAD_LIVE))
def test_bad_live_file_is_one_usage_line_naming_it(run_cli, tmp_path, name):
    live = tmp_path / name
    live.write_bytes(BAD_LIVE[name])
    result = run_cli("drift", "--env", "dev", "--live", str(live))
    assert name in _one_clear_line(result)
    assert result.stdout == ""


def test_secret_in_a_bad_live_file_is_not_echoed(run_cli, tmp_path):
    live = tmp_path / "live.yaml"
    live.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n"
                    "stringData: {password: Hunter2Leak}\n  broken: [\n")
    result = run_cli("drift", "--env", "dev", "--live", str(live))
    _one_clear_line(result)
    assert "Hunter2Leak" not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [
    ("drift", "--env", "dev", "--app", "trust-anchr"),
    ("drift", "--env", "prd"),
    ("diff", "--from-env", "dev", "--to-env", "staging", "--app", "trust-anchr"),
    ("diff", "--from-env", "dev", "--to-env", "stagin"),
    ("diff", "--base", "HEAD", "--env", "prd"),
], ids=["drift-app", "drift-env", "diff-app", "diff-env", "diff-base-env"])
def test_unknown_env_or_app_is_a_usage_error(run_cli, tmp_path, args):
    live = tmp_path / "live.json"
    live.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": []}))
    extra = ("--live", str(live)) if args[0] == "drift" else ()
    line = _one_clear_line(run_cli(*args, *extra))
    assert any(name in line for name in ("trust-anchr", "prd", "stagin")), line
