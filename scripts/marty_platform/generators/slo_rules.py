"""monitoring/rules/generated/: Prometheus rules generated from the SLO specs by Sloth."""
from __future__ import annotations

from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.monitoring import slo
from marty_platform.repo import Repo
from marty_platform.settings import Settings
from marty_platform.tools.runner import ToolBox


def generate(root: Path, settings: Settings, write: bool) -> list[Path]:
    tools = ToolBox(settings.tools_bin, settings.cache_dir / "home", root=root)
    try:
        return slo.generate(check=not write, root=root, tools=tools,
                            cache_dir=settings.cache_dir / "sloth")
    except slo.SloGenerationError as exc:
        raise UsageError(f"{Repo(root).rel(exc.spec)}: sloth rejected the spec: {exc.detail}"
                         ) from None
