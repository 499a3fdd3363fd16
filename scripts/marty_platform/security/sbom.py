"""The SBOM of the tooling (`scripts/scan --sbom FILE`): CycloneDX JSON of the Python packages in
the tooling's virtualenv, produced by the pinned cyclonedx-bom (`cyclonedx-py environment`),
which reads the installed packages' metadata; offline."""
from __future__ import annotations

import sys
from pathlib import Path

from marty_platform.context import RunContext
from marty_platform.tools.runner import Command, run, sealed_environment


def write_sbom(ctx: RunContext, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    run(Command(
        argv=(sys.executable, "-m", "cyclonedx_py", "environment", "--output-format", "JSON",
              "--spec-version", "1.6", "--output-reproducible", "--pyproject",
              str(ctx.repo.root / "pyproject.toml"), "--output-file", str(target),
              sys.executable),
        env=sealed_environment(ctx.toolbox.bin_dir, ctx.toolbox.home), cwd=ctx.repo.root,
        subject="the tooling's Python environment", root=ctx.repo.root, timeout=300))
