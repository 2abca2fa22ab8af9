"""Fit an app for `--without` and `--quirks`: check the names, shadow routes, add middleware.

With neither option the app is left exactly as it was built.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from lazytinker.server.config import ServerConfig
from lazytinker.server.partial import WithoutMiddleware, drop_project_ids, parse_without
from lazytinker.server.quirks import json_rewriter, parse_quirks
from lazytinker.server.rewrite import JsonRewriteMiddleware, JsonRewriter
from lazytinker.server.routes import quirky

__all__ = ["check_names", "install"]


def check_names(config: ServerConfig) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The config's groups and quirks, checked; `CompatSpecError` for an unknown name."""
    return parse_without(config.without), parse_quirks(config.quirks)


def _in_front(app: FastAPI, router: APIRouter) -> None:
    """Include `router` ahead of every route already there, so its paths shadow theirs."""
    before = len(app.router.routes)
    app.include_router(router)
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added


def install(app: FastAPI, config: ServerConfig) -> None:
    """Play the partial server and the quirks `config` asks for (call after every route)."""
    groups, quirks = check_names(config)
    if "file-archive" in quirks:
        tinker = config.flavor == "tinker"
        _in_front(app, quirky.file_archive_tinker if tinker else quirky.file_archive_hpcai)
    if "empty-member" in quirks:
        _in_front(app, quirky.empty_member_router)
    rewriters: list[JsonRewriter] = []
    quirk_rewriter = json_rewriter(quirks)
    if quirk_rewriter is not None:
        rewriters.append(quirk_rewriter)
    if "projects" in groups:
        rewriters.append(drop_project_ids)
    if rewriters:
        app.add_middleware(JsonRewriteMiddleware, rewriters=tuple(rewriters))
    if groups:
        # Added last, so outermost: a turned-away request never reaches the rest.
        app.add_middleware(WithoutMiddleware, groups=groups)
