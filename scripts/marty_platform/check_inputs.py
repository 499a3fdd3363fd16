"""What each check reads, and the digest of exactly that: the inputs of its cache key
(result_cache.py).

The repo is hashed once per run (`InputIndex`): every file's repo-relative name and the sha256 of
its bytes (a symlink's target text, never what it points to), except the directories no check
reads (SKIPPED_DIRS: .git, caches, tools, virtualenvs). A check's inputs are a set of areas (path
prefixes) of that index. Files at the top of the repo (tools.toml, .gitignore, .validateignore,
pyproject.toml, ...) are in every check's inputs, and so is the tooling's own code.

A repo check missing from REPO_CHECK_AREAS reads the whole tree: declaring an area makes a check
cheaper to keep cached, and is only right when the check reads nothing outside it. Manifest checks
read their env's objects (each one's bytes, file, line and patches) and, unless narrower, the whole
tree. A check whose inputs cannot be known (a CRD schema location outside the repo) is not cached.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import marty_platform
from marty_platform.model import ManifestObject
from marty_platform.repo import SKIPPED_DIRS, Repo

WHOLE_TREE = ("",)
# The areas a repo check reads, for the checks that read less than the whole tree (label: module,
# or module.function; see engine._label). Keep each one exact: a file a check reads outside its
# areas could change without the cached result changing.
REPO_CHECK_AREAS: dict[str, tuple[str, ...]] = {
    "helm": ("charts",),
    "terraform": ("terraform", "policies"),  # fmt, and the Terraform policies (conftest)
    "tflint": ("terraform",),
    "terraform_lock": ("terraform",),
    "policy.verify": ("policies", "base/openapi"),
    "python_security": ("scripts", "config", "policies/exceptions.yaml"),
    "workflow_security": (".github", "config", "policies/exceptions.yaml"),
    "amtool_template": ("monitoring/alertmanager",),
    # Rules, rule tests, SLO specs (and their schema and the catalog they must cover),
    # Alertmanager, dashboards, known metrics, and the runbooks alerts link to.
    "monitoring": ("monitoring", "docs", "catalog", "schemas"),
}
# Checks that, in path mode, read the paths given (whatever area they are in): then the whole tree.
READS_GIVEN_PATHS = {"python_security", "secrets"}
# The areas kubeconform and conftest read besides the objects they are given.
KUBECONFORM_AREAS = ("schemas/crds", "overlays/{env}/env.yaml", "config")
POLICY_AREAS = ("policies", "base/openapi", "overlays/{env}/env.yaml", "config")


@lru_cache(maxsize=1)
def tooling_digest() -> str:
    """The code of this tooling and its data (the policy capabilities): a change to a check is
    a change to its results."""
    digest = hashlib.sha256()
    package = Path(marty_platform.__file__).parent
    for path in sorted(path for path in package.rglob("*")
                       if path.suffix in (".py", ".json") and path.is_file()):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tools_identity(tools_bin: Path) -> str:
    """The tools a run uses, as they are on disk: tools.toml pins their versions, but a run may
    be pointed at another directory of tools (MARTY_TOOLS_BIN), or a tool rebuilt in place.
    Each program's name, size, inode and modification time: cheap, and changed by any rebuild."""
    entries = [str(tools_bin)]
    try:
        programs = sorted(tools_bin.iterdir())
    except OSError:
        programs = []
    for program in programs:
        try:
            info = program.stat()
        except OSError:
            entries.append(f"{program.name}:missing")
            continue
        entries.append(f"{program.name}:{info.st_size}:{info.st_ino}:{info.st_mtime_ns}")
    return hashlib.sha256("\0".join(entries).encode("utf-8", "surrogateescape")).hexdigest()


class InputIndex:
    """Every file of the repo with the digest of its content, and the tools' identity, read
    once per run."""

    def __init__(self, repo: Repo, tools_bin: Path):
        self.tools = tools_identity(tools_bin)
        self.files: dict[str, str] = {}
        for dirpath, dirnames, filenames in os.walk(repo.root, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
            for name in filenames:
                path = here / name
                rel = path.relative_to(repo.root).as_posix()
                try:
                    if path.is_symlink():
                        self.files[rel] = "link:" + os.readlink(path)
                    elif path.is_file():
                        self.files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:  # unreadable: its state is part of the key all the same
                    self.files[rel] = f"error:{exc.errno}"
            for name in dirnames:  # a symlinked directory is not walked: its target text counts
                if (here / name).is_symlink():
                    rel = (here / name).relative_to(repo.root).as_posix()
                    self.files[rel] = "link:" + os.readlink(here / name)
        self._areas: dict[tuple[str, ...], str] = {}

    def digest(self, areas: tuple[str, ...]) -> str:
        """The names and contents of the files under `areas` and of the top-level files."""
        if areas not in self._areas:
            digest = hashlib.sha256()
            for rel in sorted(self.files):
                if "/" not in rel or any(not area or rel == area or rel.startswith(area + "/")
                                         for area in areas):
                    digest.update(f"{rel}\0{self.files[rel]}\0".encode("utf-8", "surrogateescape"))
            self._areas[areas] = digest.hexdigest()
        return self._areas[areas]


def object_digest(obj: ManifestObject) -> str:
    """An object's content and everything a finding about it names (file, line, patches)."""
    text = json.dumps([obj.source, obj.file, obj.line, list(obj.patched_in), obj.data],
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def env_areas(areas: tuple[str, ...], env: str) -> tuple[str, ...]:
    return tuple(area.format(env=env) for area in areas)
