"""monitoring/rules/generated/: Prometheus rules generated from the SLO specs by Sloth."""
from __future__ import annotations

from pathlib import Path

from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.monitoring import slo


def generate(ctx: RunContext, write: bool) -> list[Path]:
    try:
        return slo.generate(check=not write, root=ctx.repo.root,
                            tools=ctx.toolbox, cache_dir=ctx.cache_dir / "sloth")
    except slo.SloGenerationError as exc:
        raise UsageError(f"{ctx.repo.rel(exc.spec)}: sloth rejected the spec: {exc.detail}"
                         ) from None
