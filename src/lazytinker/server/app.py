"""`create_app`: the FastAPI application of the stand-in server, for one `ServerConfig`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lazytinker import __version__
from lazytinker.server import compat
from lazytinker.server.config import ServerConfig
from lazytinker.server.db import Database
from lazytinker.server.faults import FaultMiddleware, parse_faults
from lazytinker.server.live import live_loop
from lazytinker.server.routes import (
    account,
    audit,
    copy_weights,
    core,
    downloads,
    hpcai,
    lifecycle,
    manage,
    runs,
    sessions,
    training,
    usage,
)
from lazytinker.server.routes.common import document_common_errors
from lazytinker.server.seed import SeedSize, now_ms, seed_database
from lazytinker.server.state import ServerState
from lazytinker.server.structs import document_structs

__all__ = ["create_app"]


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "request"
    return f"{where}: {error.get('msg', 'invalid value')}"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = "; ".join(_describe(error) for error in exc.errors()[:5]) or "Invalid request"
    return JSONResponse({"detail": detail}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if exc.detail else "Error"
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Only reached on a bug; still answer JSON so clients never parse an HTML page.
    return JSONResponse({"detail": f"Internal error: {type(exc).__name__}"}, status_code=500)


def _patch_openapi(app: FastAPI) -> None:
    """Describe 422 bodies as they really are (`{"detail": "<one line>"}`, not FastAPI's list),
    and the 401 and 400 FastAPI answers before a handler runs."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schemas = document.get("components", {}).get("schemas", {})
            schemas["HTTPValidationError"] = {
                "title": "HTTPValidationError",
                "type": "object",
                "properties": {"detail": {"type": "string", "title": "Detail"}},
                "required": ["detail"],
            }
            schemas.pop("ValidationError", None)
            document_structs(document)
            document_common_errors(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_state(config: ServerConfig) -> ServerState:
    """Open (and if new, seed) the database of a config."""
    db = Database(config.db_path)
    if not db.is_seeded():
        size = SeedSize(config.sessions, config.runs, config.checkpoints_per_run)
        seed_database(db, size, config.seed, now_ms(config.now))
    return ServerState(config=config, db=db)


def create_app(config: ServerConfig) -> FastAPI:
    """The stand-in server's ASGI app; raises `FaultSpecError` for a bad `faults` spec and
    `CompatSpecError` for an unknown `without` group or quirk."""
    faults = parse_faults(config.faults)
    compat.check_names(config)
    state = build_state(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        busy = config.live or config.cookbook_logs
        task = asyncio.create_task(live_loop(state)) if busy else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title=f"lazytinker stand-in Tinker server ({config.flavor})",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.lazytinker = state
    app.include_router(core.common_router)
    app.include_router(runs.router)
    if config.flavor == "tinker":
        app.include_router(core.tinker_startup_router)
        app.include_router(runs.tinker_router)
        app.include_router(manage.router)
        app.include_router(downloads.tinker_router)
        app.include_router(sessions.router)
        app.include_router(usage.router)
        # Before compute_router, whose 404 stubs of the same paths they replace.
        app.include_router(lifecycle.router)
        app.include_router(training.router)
        app.include_router(audit.router)
        app.include_router(audit.signed_router)
        app.include_router(account.router)
        app.include_router(copy_weights.router)
    else:
        app.include_router(downloads.hpcai_router)
        app.include_router(hpcai.router)
    app.include_router(downloads.signed_router)
    app.include_router(core.compute_router)
    _patch_openapi(app)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    compat.install(app, config)
    if faults:
        app.add_middleware(
            FaultMiddleware, faults=faults, seed=config.seed, slow_seconds=config.slow_seconds
        )
    return app
