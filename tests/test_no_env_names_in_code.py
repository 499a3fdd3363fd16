"""No module of the tooling names an env: which envs exist, their order, which is production,
which judges rendered manifests and what a new overlay gets come from overlays/<env>/env.yaml.
A string literal naming one of the repo's envs (docstrings aside) is a decision made in code."""
from __future__ import annotations

import ast
import re

from harness import ROOT

PACKAGE = ROOT / "scripts" / "marty_platform"
ENVS = sorted(p.parent.name for p in (ROOT / "overlays").glob("*/env.yaml"))
# An env name as a word of its own: not part of a domain (marty.dev), an identifier or a name.
ENV_WORD = re.compile(rf"(?<![\w.-])({'|'.join(ENVS)})(?![\w-])")
# Literals that only look like an env: a Linux device path Kubernetes defaults to.
NOT_ENVS = {"/dev/termination-log"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def env_literals(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and node.value not in NOT_ENVS
            and ENV_WORD.search(node.value)]


def test_the_repo_has_envs_to_look_for():
    assert len(ENVS) >= 2, ENVS


def test_no_string_literal_in_the_package_names_an_env():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {value!r}"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for line, value in env_literals(path.read_text(encoding="utf-8"))]
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_a_literal_env_name():
    assert env_literals('DEFAULT = "prod"\nif env == "dev":\n    pass\n')
    assert env_literals('text = f"for env in dev, staging, prod."\n')
    assert not env_literals('"""Promotion moves dev → staging → prod."""\nLABEL = "marty.dev/env"\n')
