"""The repository's layout: where envs, overlays and config files live."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ENVIRONMENTS = ("dev", "staging", "prod")
YAML_SUFFIXES = (".yaml", ".yml")
# Not configuration: tool output, caches, Go templates and vendored material.
SKIPPED_DIRS = {".git", ".venv", ".tools", ".cache", "node_modules", "__pycache__",
                ".pytest_cache", ".terraform"}


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
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def env_config_path(self, env: str) -> Path:
        return self.root / "overlays" / env / "env.yaml"

    def envs(self) -> list[str]:
        base = self.root / "overlays"
        found = [p.name for p in sorted(base.iterdir()) if p.is_dir()] if base.is_dir() else []
        return [e for e in ENVIRONMENTS if e in found] + [e for e in found if e not in ENVIRONMENTS]

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

    def walk_files(self):
        """Every file in the repo that is not tool output, plus symlinks (not followed)."""
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
            here = Path(dirpath)
            for d in dirnames:
                if (here / d).is_symlink():
                    yield here / d
            for name in sorted(filenames):
                yield here / name

    def is_inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
            return True
        except ValueError:
            return False
