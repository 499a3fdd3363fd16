"""Renders overlays of any tree (the checkout or a worktree) with the tools and cache of the repo.

The Renderer is the one validate uses; only the tree it reads differs. Tools and the render cache
always come from the user's repo (a worktree has no .tools/), so an unchanged overlay at another ref
is a cache hit.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from marty_platform.context import Options, RunContext, build_context
from marty_platform.model import Finding
from marty_platform.render import Renderer
from marty_platform.repo import Overlay, Repo

AppKey = tuple[str, str]  # (env, app)


@dataclass
class TreeRender:
    objects: dict[AppKey, list[dict]]
    findings: list[Finding]


class RenderSession:
    def __init__(self, repo: Repo, jobs: int = 0):
        self.repo = repo
        self.pool = ThreadPoolExecutor(max_workers=jobs or None)
        self.ctx: RunContext = build_context(repo, Options(jobs=jobs), self.pool)

    def __enter__(self) -> "RenderSession":
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True)

    def renderer(self, tree: Repo) -> Renderer:
        return Renderer(tree, self.ctx.toolbox, self.ctx.cache_dir, self.ctx.manifest.fingerprint())

    def render(self, tree: Repo, overlays: list[Overlay]) -> TreeRender:
        renderer = self.renderer(tree)
        result = TreeRender({}, [])
        for rendered in self.pool.map(renderer.render, overlays):
            key = (rendered.overlay.env, rendered.overlay.app)
            result.objects[key] = [o.data for o in rendered.objects]
            result.findings += rendered.findings
        return result

    def render_env(self, tree: Repo, env: str, apps: list[str] | None = None) -> TreeRender:
        overlays = [o for o in tree.overlays([env]) if not apps or o.app in apps]
        return self.render(tree, overlays)
