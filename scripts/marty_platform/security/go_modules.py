"""The Go modules compiled into each pinned tool of tools.toml, read from the binary's embedded
build info (`go version -m`): what the licence check judges and what the SBOM lists."""
from __future__ import annotations

from marty_platform.context import RunContext
from marty_platform.tools.bootstrap import find_go
from marty_platform.tools.runner import Command, build_environment, run


# Tools of this stage are built only where they run (the release workflow): elsewhere they are
# absent, and their modules are not read (unbuilt_tools names them for a note).
OPTIONAL_STAGE = "release"


def unbuilt_tools(ctx: RunContext) -> list[str]:
    """The pinned tools of the optional stage that are not built here."""
    return [name for name, pin in sorted(ctx.manifest.tools.items())
            if pin.stage == OPTIONAL_STAGE and not (ctx.toolbox.bin_dir / name).is_file()]


def compiled_modules(ctx: RunContext) -> dict[tuple[str, str], set[str]]:
    """(module, version) → the pinned tools it is compiled into. A tool of any other stage that
    is not built is a tooling error (`make bootstrap-test` builds them)."""
    go = find_go(ctx.manifest.go_fallback, lambda message: None)
    modules: dict[tuple[str, str], set[str]] = {}
    skipped = set(unbuilt_tools(ctx))
    for tool in sorted(set(ctx.manifest.tools) - skipped):
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
