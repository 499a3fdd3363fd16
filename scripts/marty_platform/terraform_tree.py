"""The Terraform directories of the repo: modules, env roots and examples, each linted and
documented on its own."""
from __future__ import annotations

from pathlib import Path

TERRAFORM_DIR = "terraform"
# Where each kind of directory lives under terraform/.
MODULES, ENVS, EXAMPLES = "modules", "envs", "examples"


def tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.tf") if p.is_file() or p.is_symlink())


def inside_files(root: Path, directory: Path) -> list[Path]:
    """The .tf files of `directory` that are files of the repo at `root`: a symlink leading out
    of it (or into .git/) is never read (check tflint reports it)."""
    found = []
    for path in tf_files(directory):
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        if relative.parts and relative.parts[0] != ".git" and path.resolve().is_file():
            found.append(path)
    return found


def directories(root: Path) -> list[Path]:
    """Every directory under terraform/ holding .tf files (not Terraform's own .terraform/)."""
    base = root / TERRAFORM_DIR
    if not base.is_dir():
        return []
    found = {p.parent for p in base.rglob("*.tf") if ".terraform" not in p.parts}
    return sorted(found)


def modules(root: Path) -> list[Path]:
    base = root / TERRAFORM_DIR / MODULES
    return sorted(d for d in base.iterdir() if d.is_dir() and tf_files(d)) if base.is_dir() else []


def env_root(root: Path, env: str) -> Path:
    return root / TERRAFORM_DIR / ENVS / env
