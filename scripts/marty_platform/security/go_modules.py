"""The Go modules compiled into each pinned tool of tools.toml, read from the binary's embedded
build info (`go version -m`): what the licence check judges and what the SBOM lists."""
from __future__ import annotations

from marty_platform.context import RunContext
from marty_platform.tools.bootstrap import find_go
from marty_platform.tools.runner import Command, build_environment, run


def compiled_modules(ctx: RunContext) -> dict[tuple[str, str], set[str]]:
    """(module, version) → the pinned tools it is compiled into."""
    go = find_go(ctx.manifest.go_fallback, lambda message: None)
    modules: dict[tuple[str, str], set[str]] = {}
    for tool in sorted(ctx.manifest.tools):
        binary = ctx.toolbox.path(tool)
        completed = run(Command(argv=(go, "version", "-m", binary), env=build_environment(),
                                timeout=120, subject=tool))
        compiled: list[tuple[str, str]] = []
        for line in completed.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "mod" and parts[2] == "(devel)":
                continue  # this repository's own module (tools/go/otelcol): not a dependency
            if len(parts) >= 3 and parts[0] in ("mod", "dep"):
                compiled.append((parts[1], parts[2]))
            elif len(parts) >= 3 and parts[0] == "=>" and compiled:
                # The line after a replaced module names the replacement, whose code was compiled
                # (a tool built in a committed module replaces Kubernetes' staging modules).
                compiled[-1] = (parts[1], parts[2])
        for module_version in compiled:
            modules.setdefault(module_version, set()).add(tool)
    return modules
