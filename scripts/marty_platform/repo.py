"""The repository's layout: where envs, overlays and config files live."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
YAML_SUFFIXES = (".yaml", ".yml")
# Not configuration: tool output, caches, Go templates and vendored material.
SKIPPED_DIRS = {".git", ".venv", ".tools", ".cache", "node_modules", "__pycache__",
                ".pytest_cache", ".terraform"}


def inside(root: Path, paths) -> list[Path]:
    """`paths` (what a glob found under `root`), sorted, without those a symlink leads out of
    the repo or into .git/. The yaml check reports each such link; nothing reads through it."""
    repo = Repo(root.resolve())
    return sorted(path for path in paths if repo.is_inside(path))


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Overlay:
    env: str
    app: str
    path: Path  # absolute

    def relative(self, root: Path) -> str:
        return self.path.relative_to(root).as_posix()


@dataclass(frozen=True)
class Repo:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Repo":
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "tools.toml").is_file() and (candidate / "overlays").is_dir():
                return cls(candidate)
        return cls(Path(__file__).resolve().parents[2])

    def rel(self, path: Path) -> str:
        """Repo-relative, symlinks followed; a link leading out of the repo is named by where
        it lies, never by where it points."""
        for candidate in (path.resolve(), Path(os.path.abspath(path))):
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return str(path)

    def env_config_path(self, env: str) -> Path:
        return self.root / "overlays" / env / "env.yaml"

    def envs(self) -> list[str]:
        """The env directories under overlays/, in promotion order (their env.yaml says it)."""
        from marty_platform.envconfig import ordered_envs

        base = self.root / "overlays"
        found = [p.name for p in sorted(base.iterdir()) if p.is_dir()] if base.is_dir() else []
        return ordered_envs(self.root, found)

    def overlays(self, envs: list[str] | None = None) -> list[Overlay]:
        result = []
        for env in envs or self.envs():
            env_dir = self.root / "overlays" / env
            if not env_dir.is_dir():
                continue
            for app_dir in sorted(env_dir.iterdir()):
                if app_dir.is_dir() and kustomization_file(app_dir):
                    result.append(Overlay(env, app_dir.name, app_dir))
        return result

    @cached_property
    def ignored_patterns(self) -> tuple[str, ...]:
        """Globs from .validateignore: deliberately broken test fixtures, mostly. A line that is
        not UTF-8 matches nothing (so it hides nothing); a link out of the repo is not read."""
        path = self.root / ".validateignore"
        if not path.is_file() or not self.is_inside(path):
            return ()
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
        return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))

    def is_ignored(self, rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, pattern) for pattern in self.ignored_patterns)

    def symlinks(self):
        """Every symlink in the repo (unfollowed), whatever .validateignore says: where a link
        leads is a security question, and no ignore file may hide the answer."""
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
            for name in [*dirnames, *sorted(filenames)]:
                if (here / name).is_symlink():
                    yield here / name

    def walk_files(self):
        """Every file in the repo that is not tool output or ignored, plus symlinks (unfollowed)."""
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in SKIPPED_DIRS and not self.is_ignored(
                    (here / d).relative_to(self.root).as_posix() + "/"))
            for d in dirnames:
                if (here / d).is_symlink():
                    yield here / d
            for name in sorted(filenames):
                if not self.is_ignored((here / name).relative_to(self.root).as_posix()):
                    yield here / name

    def is_inside(self, path: Path) -> bool:
        """Whether `path`, symlinks followed, is a file of the repo. Git's own directory is not:
        it holds the remote's credentials (actions/checkout keeps its token in .git/config)."""
        try:
            relative = path.resolve().relative_to(self.root)
        except ValueError:
            return False
        return not relative.parts or relative.parts[0] != ".git"
