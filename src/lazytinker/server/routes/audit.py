"""The audit log (protocol.md §4.7): `GET /api/v1/audit` answers 302 to a signed URL of the day.

As in production, the log itself is fetched from a signed, expiring URL that needs no key; it
holds the management actions that really happened on this server (publish, unpublish, delete,
TTL, download, copy), one UTC day at a time, oldest first.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from lazytinker.api.models import AuditLogResponse
from lazytinker.api.paths import CheckpointRef, InvalidPathError
from lazytinker.server.auth import CallerDep, require_admin
from lazytinker.server.catalog import ME, OTHER
from lazytinker.server.routes.common import errors
from lazytinker.server.signing import SIGNED_PREFIX, signed_url, verify
from lazytinker.server.state import api_error, state_of
from lazytinker.server.views import iso, loads

__all__ = ["router", "signed_router"]

EventType = Literal["all", "checkpoints", "projects", "teams", "organizations"]
# Which events each `event_type` keeps: those whose name starts with the prefix.
_PREFIXES: dict[str, str] = {
    "all": "",
    "checkpoints": "checkpoint_",
    "projects": "project_",
    "teams": "team_",
    "organizations": "organization_",
}
_EMAILS = {ME.urn: ME.email, OTHER.urn: OTHER.email}
router = APIRouter(prefix="/api/v1")
signed_router = APIRouter(prefix=SIGNED_PREFIX, tags=["signed"])


@router.get(
    "/audit",
    response_class=RedirectResponse,
    status_code=302,
    responses={302: {"description": "Redirect to a signed URL of the day's log"}, **errors(403)},
)
def audit_log(
    request: Request, caller: CallerDep, event_type: EventType = "all", day: date | None = None
) -> RedirectResponse:
    """302 to a signed URL whose GET answers one UTC day of events (default: today)."""
    require_admin(caller, "The audit log")
    state = state_of(request)
    if day is None:
        day = datetime.fromtimestamp(state.now_ms() / 1000, tz=UTC).date()
    url = signed_url(state, request, "audit", {"day": day.isoformat(), "event_type": event_type})
    return RedirectResponse(url, status_code=302)


def _entry(row: Any) -> dict[str, Any]:
    path: str | None = row["tinker_path"]
    details: dict[str, Any] = loads(row["details"]) or {}
    actor = row["owner"]
    entry: dict[str, Any] = {
        "timestamp": iso(row["time_ms"]),
        "event": row["event"],
        "event_details": {
            "actor": actor,
            "actor_email": _EMAILS.get(actor),
            "tinker_path": path,
            **details,
        },
        "tinker_path": path,
    }
    if path is not None:
        with contextlib.suppress(InvalidPathError):
            entry["model_id"] = CheckpointRef.parse(path).run_id
    if "purpose" in details:
        entry["purpose"] = details["purpose"]
    return entry


@signed_router.get("/audit", response_model=AuditLogResponse, responses=errors(400, 403))
def signed_audit(request: Request) -> JSONResponse:
    """The day's events a signed audit URL names; no key needed."""
    state = state_of(request)
    params = verify(state, "audit", request.query_params, ("day", "event_type"))
    prefix = _PREFIXES.get(params["event_type"])
    try:
        day = date.fromisoformat(params["day"])
    except ValueError:
        day = None
    if prefix is None or day is None:
        raise api_error(400, "The signed URL names no day or event type")
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    end = start + int(timedelta(days=1).total_seconds() * 1000)
    with state.db.tx() as conn:
        rows = conn.execute(
            "SELECT * FROM audit WHERE time_ms >= ? AND time_ms < ? AND event LIKE ? ESCAPE '\\'"
            " ORDER BY time_ms, seq",
            (start, end, prefix.replace("_", r"\_") + "%"),
        ).fetchall()
    return JSONResponse({"entries": [_entry(row) for row in rows]})
