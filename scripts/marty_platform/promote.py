"""Promotion: make the target env's overlays run the source env's releases.

Only versions move. A release is an image tag **and** its digest, and they move together: the
target gets the source's tag and digest; where the source states the same tag without a digest,
the target keeps the digest it has for that tag (the record is the same release). Helm chart
versions (`helmCharts[].version`) and the `app.kubernetes.io/version` label pair move too.
Everything else in the target overlay (replicas, patches, namespaces, image names) is
env-specific and stays.

An env whose `env.yaml` sets `images.requireDigest` accepts no image without a digest: such a
promotion is refused by name before anything is rendered or edited. Then the edits are checked
on a scratch copy (rendered diff, validation) and written only when they validate
(overlay_change); `--dry-run` stops after the same check, with the same verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from marty_platform import change_branch, overlay_doc
from marty_platform.envconfig import load_env_config, promotion_paths
from marty_platform.errors import UsageError
from marty_platform.model import Finding, finding
from marty_platform.overlay_change import Change, Edit
from marty_platform.overlay_doc import OverlayDoc, set_image
from marty_platform.repo import Repo
from marty_platform.rules import Rule, declare

CHECK = "promote"
RULES = declare(
    CHECK, "Promotions (`scripts/promote`): what would leave the target env broken.",
    Rule("digest-missing", "the source release has no digest and the target requires one"),
    module=__name__)


@dataclass
class Promotion(Change):
    skipped: list[str] = field(default_factory=list)  # apps that already run the source's releases


def title(source: str, target: str, apps: list[str]) -> str:
    names = ", ".join(apps) if len(apps) <= 4 else f"{len(apps)} apps"
    return f"Promote {names} from {source} to {target}"


def branch_name(source: str, target: str, apps: list[str]) -> str:
    names = "-".join(apps) if len(apps) <= 3 else f"{len(apps)}-apps"
    return f"promote/{source}-to-{target}/{names}"


def check_pair(repo: Repo, source: str, target: str) -> None:
    """Only the promotions the env configs declare (`promotesFrom`)."""
    paths = promotion_paths(repo)
    if (source, target) not in paths:
        allowed = ", ".join(f"{a} → {b}" for a, b in paths) or "none"
        accepted = dict((b, a) for a, b in paths).get(target)
        raise UsageError(f"cannot promote {source} → {target}; allowed: {allowed}"
                         + (f" ({target} accepts only from {accepted})" if accepted else ""))


def plan_app(src: OverlayDoc, dst: OverlayDoc, require_digest: bool) -> tuple[Edit | None,
                                                                                 list[Finding]]:
    """The edit that makes `dst` run `src`'s releases, and what stops it (missing digests)."""
    notes: list[str] = []
    problems: list[Finding] = []
    target_slots = dst.image_slots()
    for key, source in src.image_slots().items():
        if source.node is None:
            continue
        before = target_slots.get(key)
        slot = dst.ensure_slot(key)
        if slot is None:
            continue
        tag, digest = source.tag, source.digest
        if digest is None and before is not None and before.tag == tag:
            digest = before.digest  # same release: the target already holds its digest
        if digest is None and require_digest:
            problems.append(_missing_digest(src, dst, source, tag))
        notes += set_image(slot, tag, digest)
    for name in target_slots.keys() - src.image_slots().keys():
        if name.startswith("image "):
            notes.append(f"{name.removeprefix('image ')}: pinned in {dst.overlay.env} only; "
                         "left unchanged")
    notes += _promote_chart_versions(src, dst)
    source_labels = src.version_labels()
    if source_labels:
        for pairs in dst.version_labels():
            pairs[overlay_doc.VERSION_LABEL] = source_labels[0][overlay_doc.VERSION_LABEL]
    updated = dst.dump()
    if updated == dst.original:
        return None, problems
    return Edit(dst.overlay, dst.path, dst.original, updated, notes), problems


def _missing_digest(src: OverlayDoc, dst: OverlayDoc, slot, tag) -> Finding:
    app, source, target = src.overlay.app, src.overlay.env, dst.overlay.env
    return finding(
        CHECK, "digest-missing",
        f"{app} {tag} has no digest in {source}, and {target} requires one (images.requireDigest "
        f"in overlays/{target}/env.yaml); pin a digest with `scripts/release {app} {tag} "
        f"--digest sha256:<digest> --env {source}`, then promote again",
        file=src.rel, line=slot.line, env=target, resource=f"{target}/{app}")


def _promote_chart_versions(src: OverlayDoc, dst: OverlayDoc) -> list[str]:
    def key(chart):
        return str(chart.get("name")), str(chart.get("releaseName") or chart.get("name"))

    source_charts = {key(c): c for c in src.charts()}
    notes = []
    for chart in dst.charts():
        match = source_charts.get(key(chart))
        if match is not None and "version" in match and chart.get("version") != match["version"]:
            notes.append(f"chart {chart.get('name')}: {chart.get('version', '(unset)')} → "
                         f"{match['version']}")
            chart["version"] = match["version"]
    return notes


def plan(repo: Repo, source: str, target: str, apps: list[str]) -> Promotion:
    """Every edit of the promotion; `refused` with findings when a digest is missing."""
    check_pair(repo, source, target)
    require_digest = load_env_config(repo, target).require_digest
    source_overlays = {o.app: o for o in repo.overlays([source])}
    target_overlays = {o.app: o for o in repo.overlays([target])}
    for app in apps:
        if app not in source_overlays or app not in target_overlays:
            where = source if app not in source_overlays else target
            raise UsageError(f"app {app!r} has no overlay in {where} (overlays/{where}/{app})")
    chosen = list(apps) or sorted(source_overlays.keys() & target_overlays.keys())
    promotion = Promotion(target, title(source, target, chosen))
    for app in chosen:
        edit, problems = plan_app(overlay_doc.load(repo, source_overlays[app]),
                                  overlay_doc.load(repo, target_overlays[app]), require_digest)
        promotion.failures += problems
        if edit is not None:
            promotion.edits.append(edit)
        elif not problems:
            promotion.skipped.append(app)
    promotion.refused = bool(promotion.failures)
    changed = [e.overlay.app for e in promotion.edits]
    if changed and not apps:
        promotion.title = title(source, target, changed)
    return promotion


def promote(repo: Repo, source: str, target: str, apps: list[str], *, dry_run: bool = False,
            commit: bool = False, base: str | None = None) -> Promotion:
    """Plan, check and (unless a dry run) apply the promotion; with `commit`, as a commit on a
    new branch from `base`, leaving the checkout as it was (change_branch)."""
    check_pair(repo, source, target)
    return change_branch.carry_out(
        repo, lambda tree: plan(tree, source, target, apps), dry_run=dry_run, commit=commit,
        base=base,
        branch=lambda change: branch_name(source, target, [e.overlay.app for e in change.edits]))
