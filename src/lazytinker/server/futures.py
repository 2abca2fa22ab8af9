"""Futures of the compute endpoints: submitted with their outcome, polled with `retrieve_future`.

The stand-in does its work at once, so a future is born knowing its outcome: a result, or a
failure (`{"error", "category"}`). It still answers `try_again` for its first
`ServerConfig.future_pending_polls` polls, as a busy service would. Only the caller who submitted
a future can read it; it can be read again (a retried poll gets the same answer).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any, Literal

from lazytinker.api.training_models import FutureHandle, RequestFailedResponse, TryAgainResponse
from lazytinker.server.state import Caller, api_error

__all__ = ["failed", "retrieve", "submit"]


def failed(message: str, category: Literal["unknown", "server", "user"] = "user") -> dict[str, Any]:
    """The outcome of work that failed; `user` when the request asked for something impossible."""
    return RequestFailedResponse(error=message, category=category).model_dump()


def submit(
    conn: sqlite3.Connection,
    caller: Caller,
    request_type: str,
    outcome: dict[str, Any],
    *,
    pending_polls: int,
    now_ms: int,
    model_id: str | None = None,
) -> dict[str, Any]:
    """Record a future and return the handle the submitting call answers."""
    request_id = f"req-{uuid.uuid4()}"
    conn.execute(
        "INSERT INTO futures (request_id, owner, request_type, outcome, pending_polls, created_ms)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (request_id, caller.urn, request_type, json.dumps(outcome), max(0, pending_polls), now_ms),
    )
    return FutureHandle(request_id=request_id, model_id=model_id).model_dump(exclude_none=True)


def retrieve(conn: sqlite3.Connection, request_id: str, caller: Caller) -> dict[str, Any]:
    """A future's outcome, or `try_again` while it still pretends to be busy; 404 if unknown."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM futures WHERE request_id = ?", (request_id,)
    ).fetchone()
    if row is None or row["owner"] != caller.urn:
        raise api_error(404, f"Future {request_id!r} not found")
    if row["pending_polls"] > 0:
        conn.execute(
            "UPDATE futures SET pending_polls = pending_polls - 1 WHERE request_id = ?",
            (request_id,),
        )
        return TryAgainResponse(request_id=request_id).model_dump()
    outcome: dict[str, Any] = json.loads(row["outcome"])
    return outcome
