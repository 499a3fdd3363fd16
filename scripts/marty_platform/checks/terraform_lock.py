"""The provider lock files (`.terraform.lock.hcl`), as far as they can be proven offline.

The terraform workflow generates them with the registry (hashes of every platform) and fails when
a committed one no longer matches; here, without the registry, a lock file that is present must:
- belong to a root (an env root or an example): Terraform ignores a module's lock file;
- lock exactly the providers the root's `required_providers` names, at its exact version, with the
  registry's `zh:` hashes and at least one `h1:` hash per platform the workflow locks;
- not be ignored by git (a `.gitignore` pattern would keep it from being committed).
Whether the hashes are the registry's can only be proven online (`terraform init -lockfile=readonly`
in the workflow).
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

from marty_platform import hcl, terraform_tree
from marty_platform.context import RunContext
from marty_platform.model import CheckResult, Finding, finding
from marty_platform.rules import Rule, declare

CHECK = "terraform-lock"
LOCK_FILE = ".terraform.lock.hcl"
# The platforms .github/workflows/terraform.yaml locks (LOCK_PLATFORMS): one h1 hash each.
PLATFORMS = ("linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64")
REGISTRY = "registry.terraform.io/"
RULES = declare(
    CHECK, "Provider lock files: in roots only, pinned to the exact required versions, hashed for "
    "every platform, never ignored by git.",
    Rule("location", "a lock file outside an env root or example (Terraform ignores a module's)"),
    Rule("pin", "a lock file misses a required provider, locks one not required, or at another "
         "version than the exact one required"),
    Rule("hashes", "a locked provider lacks the registry's zh: hashes or an h1: hash per platform"),
    Rule("ignored", "a .gitignore pattern ignores the lock files, so they would not be committed"),
    Rule("syntax", "a lock file or the root's versions do not parse"),
    module=__name__)


def check(ctx: RunContext) -> list[CheckResult]:
    result = CheckResult(CHECK)
    base = ctx.repo.root / terraform_tree.TERRAFORM_DIR
    if not base.is_dir():
        return []
    result.findings += _ignored(ctx)
    roots = {(base / kind / p.parent.name) for kind in (terraform_tree.ENVS,
                                                         terraform_tree.EXAMPLES)
             for p in (base / kind).glob("*/main.tf")}
    for lock in sorted(base.rglob(LOCK_FILE)):
        if ".terraform" in lock.relative_to(base).parts[:-1]:
            continue
        result.stats.checked += 1
        rel = ctx.repo.rel(lock)
        if not ctx.repo.is_inside(lock):
            result.findings.append(finding(CHECK, "location", "symlink leading outside the "
                                           "repository", file=rel))
        elif lock.parent not in roots:
            result.findings.append(finding(CHECK, "location", "a lock file belongs to an env "
                                           "root or an example; Terraform ignores a module's",
                                           file=rel))
        else:
            result.findings += _pinned(ctx, lock)
    return [result]


def _ignored(ctx: RunContext) -> list[Finding]:
    found = []
    # The .gitignore files that apply to terraform/: the repo's and those inside terraform/.
    candidates = [ctx.repo.root / ".gitignore",
                  *(ctx.repo.root / terraform_tree.TERRAFORM_DIR).rglob(".gitignore")]
    for ignore in candidates:
        if not ignore.is_file() or not ctx.repo.is_inside(ignore) or ".terraform" in ignore.parts:
            continue
        try:
            lines = ignore.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            pattern = line.strip().lstrip("/")
            if pattern and not pattern.startswith(("#", "!")) and \
                    fnmatch.fnmatch(LOCK_FILE, pattern.split("/")[-1] or pattern):
                found.append(finding(CHECK, "ignored", f"{line.strip()!r} ignores {LOCK_FILE}: "
                                     "lock files are committed", file=ctx.repo.rel(ignore),
                                     line=number))
    return found


def _pinned(ctx: RunContext, lock: Path) -> list[Finding]:
    rel = ctx.repo.rel(lock)
    try:
        locked = hcl.read(lock)
    except hcl.HclError as exc:
        return [finding(CHECK, "syntax", exc.message, file=rel, line=exc.line)]
    required, problems = _required(ctx, lock.parent)
    if problems:
        return problems
    found = []
    seen = set()
    for block in locked.of_type("provider"):
        address = block.name
        source = address.removeprefix(REGISTRY)
        seen.add(source)
        if source not in required:
            found.append(finding(CHECK, "pin", f"{address} is locked but not in the root's "
                                 "required_providers", file=rel, line=block.line))
            continue
        for field in ("version", "constraints"):
            value = block.body.get(field)
            if value != required[source]:
                found.append(finding(CHECK, "pin", f"{address}: {field} {value!r}, but "
                                     f"required_providers pins {required[source]!r}", file=rel,
                                     line=block.lines.get(field, block.line)))
        hashes = [h for h in block.body.get("hashes") or [] if isinstance(h, str)]
        h1 = sum(h.startswith("h1:") for h in hashes)
        if h1 < len(PLATFORMS) or not any(h.startswith("zh:") for h in hashes):
            found.append(finding(CHECK, "hashes", f"{address}: {h1} h1: hash(es) and "
                                 f"{sum(h.startswith('zh:') for h in hashes)} zh: hash(es); lock "
                                 f"for {', '.join(PLATFORMS)} (the terraform workflow's artifact)",
                                 file=rel, line=block.lines.get("hashes", block.line)))
    for source in sorted(set(required) - seen):
        found.append(finding(CHECK, "pin", f"{source} {required[source]} is required but not "
                             "locked", file=rel))
    return found


def _required(ctx: RunContext, root: Path) -> tuple[dict[str, str], list[Finding]]:
    """source -> exact version, from the root's `terraform { required_providers }`."""
    required: dict[str, str] = {}
    for path in terraform_tree.inside_files(ctx.repo.root, root):
        try:
            parsed = hcl.read(path)
        except hcl.HclError as exc:
            return {}, [finding(CHECK, "syntax", exc.message, file=ctx.repo.rel(path),
                                line=exc.line)]
        for block in parsed.of_type("terraform"):
            for entry in block.body.get("required_providers") or []:
                for spec in entry.values() if isinstance(entry, dict) else ():
                    if isinstance(spec, dict) and isinstance(spec.get("source"), str):
                        required[spec["source"].removeprefix(REGISTRY)] = str(spec.get("version"))
    return required, []
