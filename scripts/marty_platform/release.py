"""Release: bring a new version of an app into an env, as a tag and its digest.

This is the step an image-build pipeline calls once it has pushed an image: it knows the version
it built and the digest the registry gave it. Both are recorded together in
`overlays/<env>/<app>/kustomization.yaml` (default: the first env in promotion order, dev), in
the place the overlay states its image (`helmCharts[].valuesInline.image` for chart-based
overlays, else its `images:` entry), and the `app.kubernetes.io/version` label follows. From
there promotion moves the pair to staging and prod: in those envs a release only records the
digest of the version they already run. Nothing here derives a digest: it is input, and must
be a well-formed sha256 digest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from marty_platform import change_branch, overlay_doc
from marty_platform.envconfig import first_env, load_env_config
from marty_platform.errors import UsageError
from marty_platform.overlay_change import Change, Edit
from marty_platform.overlay_doc import DIGEST, ImageSlot, OverlayDoc, set_image
from marty_platform.repo import Repo

# An OCI tag: what a registry accepts after the ":".
VERSION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


@dataclass
class Release(Change):
    app: str = ""
    version: str = ""
    digest: str = ""


def check_arguments(version: str, digest: str) -> None:
    if not DIGEST.fullmatch(digest):
        raise UsageError(f"--digest {digest!r}: not a digest; expected sha256: followed by 64 "
                         "lowercase hex digits (what the registry returned for the pushed image)")
    if not VERSION.fullmatch(version) or version == "latest":
        raise UsageError(f"version {version!r}: not a release tag (letters, digits, '.', '_', "
                         "'-', at most 128, and not 'latest')")


def _app_slot(doc: OverlayDoc, app: str) -> ImageSlot:
    """Where the overlay states the app's image: its chart release, else its `images:` entry."""
    slots = doc.image_slots()
    named = [s for key, s in slots.items()
             if key.startswith("chart ") and key.rpartition("/")[2] == app
             or key.startswith("image ") and key.rpartition("/")[2] == app]
    candidates = named or list(slots.values())
    if len(candidates) != 1:
        raise UsageError(f"{doc.rel}: cannot tell which image is {doc.overlay.app}'s "
                         f"({len(candidates)} candidates); name it after the app")
    return doc.ensure_slot(candidates[0].key)


def plan(repo: Repo, app: str, version: str, digest: str, env: str) -> Release:
    check_arguments(version, digest)
    load_env_config(repo, env)  # an unknown env is a usage error naming the known ones
    overlays = {o.app: o for o in repo.overlays([env])}
    if app not in overlays:
        raise UsageError(f"unknown app {app!r} in {env}: no overlays/{env}/{app} "
                         f"(apps: {', '.join(sorted(overlays)) or 'none'})")
    doc = overlay_doc.load(repo, overlays[app])
    release = Release(env, f"Release {app} {version} to {env}", app=app, version=version,
                      digest=digest)
    slot = _app_slot(doc, app)
    entry = first_env(repo)  # where new versions come in; promotion takes them further
    if env != entry and str(slot.tag) != version:
        raise UsageError(f"{env}/{app} runs {slot.tag}: a new version enters through "
                         f"{entry} and reaches {env} by promotion; in {env} a release only "
                         "records the digest of the version it runs")
    notes = set_image(slot, overlay_doc.string_scalar(version), digest)
    for pairs in doc.version_labels():
        pairs[overlay_doc.VERSION_LABEL] = overlay_doc.string_scalar(version, quoted=True)
    updated = doc.dump()
    if updated != doc.original:
        release.edits.append(Edit(doc.overlay, doc.path, doc.original, updated, notes))
    return release


def release(repo: Repo, app: str, version: str, digest: str, env: str | None = None, *,
            dry_run: bool = False, commit: bool = False, base: str | None = None) -> Release:
    """Record the release in the env's overlay (default: the first env), validated; with
    `commit`, on a new branch."""
    check_arguments(version, digest)
    env = env or first_env(repo)
    return change_branch.carry_out(
        repo, lambda tree: plan(tree, app, version, digest, env), dry_run=dry_run,
        commit=commit, base=base, branch=lambda change: f"release/{env}/{app}-{version}")
