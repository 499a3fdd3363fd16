"""The SBOM of the tooling (`scripts/scan --sbom FILE`), CycloneDX 1.6 JSON, offline:
- the Python packages of the tooling's virtualenv, written by the pinned cyclonedx-bom
  (`cyclonedx-py environment`) from the installed packages' metadata;
- every Go module compiled into a pinned tool of tools.toml, read from the binaries' build info
  by the code the licence check reads them with (security/go_modules.py), each with its purl
  (`pkg:golang/<module>@<version>`) and the tools it is compiled into.
The result is validated against the CycloneDX schema cyclonedx-python-lib ships before it is
left in FILE; an SBOM that fails it is a tooling error, never written silently."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from packageurl import PackageURL  # cyclonedx-bom's own dependency (requirements/tooling.lock)

from marty_platform.context import RunContext
from marty_platform.errors import ToolError
from marty_platform.tools.runner import Command, run, sealed_environment

SPEC_VERSION = "1.6"
# The property naming, on a Go module's component, each pinned tool it is compiled into.
COMPILED_INTO = "marty-platform:compiled-into"


def write_sbom(ctx: RunContext, target: Path,
               modules: dict[tuple[str, str], set[str]]) -> None:
    """`modules`: the Go modules of the pinned tools (go_modules.compiled_modules)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    run(Command(
        argv=(sys.executable, "-m", "cyclonedx_py", "environment", "--output-format", "JSON",
              "--spec-version", SPEC_VERSION, "--output-reproducible", "--pyproject",
              str(ctx.repo.root / "pyproject.toml"), "--output-file", str(target),
              sys.executable),
        env=sealed_environment(ctx.toolbox.bin_dir, ctx.toolbox.home), cwd=ctx.repo.root,
        subject="the tooling's Python environment", root=ctx.repo.root, timeout=300))
    bom = json.loads(target.read_text(encoding="utf-8"))
    bom.setdefault("components", []).extend(go_components(modules))
    text = json.dumps(bom, indent=2, ensure_ascii=False) + "\n"
    _validate(text)
    target.write_text(text, encoding="utf-8")


def go_components(modules: dict[tuple[str, str], set[str]]) -> list[dict]:
    components = []
    for (module, version), tools in sorted(modules.items()):
        namespace, _, name = module.rpartition("/")
        purl = PackageURL(type="golang", namespace=namespace or None, name=name,
                          version=version).to_string()
        components.append({
            "type": "library", "bom-ref": purl, "name": module, "version": version,
            "purl": purl,
            "properties": [{"name": COMPILED_INTO, "value": tool} for tool in sorted(tools)],
        })
    return components


def _validate(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.from_version(SPEC_VERSION)).validate_str(text)
    if error is not None:
        raise ToolError(f"the SBOM does not validate against the CycloneDX {SPEC_VERSION} "
                        f"schema: {str(error).splitlines()[0]}")
