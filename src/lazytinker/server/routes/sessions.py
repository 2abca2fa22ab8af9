"""Sessions (list, get, keyset search), samplers and trace export (protocol.md §4.4, §4.5)."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from lazytinker.api.models import (
    GetSamplerResponse,
    GetSessionResponse,
    ListSessionsResponse,
    ProjectAssignment,
    SessionSearchRequest,
    SessionSearchResponse,
    StatusQuery,
    TraceExportResponse,
    UserOwner,
)
from lazytinker.server.auth import CallerDep
from lazytinker.server.catalog import PROJECTS
from lazytinker.server.routes.common import errors
from lazytinker.server.routes.runs import Limit, Offset, Scope
from lazytinker.server.signing import signed_url
from lazytinker.server.state import Caller, api_error, state_of
from lazytinker.server.structs import answers, reads, struct_body
from lazytinker.server.views import iso, loads

__all__ = ["router"]

NOT_FOUND = errors(404)
router = APIRouter(prefix="/api/v1")


def _find_session(
    conn: sqlite3.Connection, session_id: str, caller: Caller, scope: str
) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    if row is None or (scope == "owned" and row["owner"] != caller.urn):
        raise api_error(404, f"Session {session_id!r} not found")
    return row


@router.get("/sessions", response_model=ListSessionsResponse)
def list_sessions(
    request: Request,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    access_scope: Scope = "owned",
) -> JSONResponse:
    """Session ids, newest first."""
    where, args = ("WHERE owner = ?", [caller.urn]) if access_scope == "owned" else ("", [])
    with state_of(request).db.tx() as conn:
        rows = conn.execute(
            f"SELECT id FROM sessions {where} ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
    return JSONResponse({"sessions": [row["id"] for row in rows]})


@router.get("/sessions/{session_id}", response_model=GetSessionResponse, responses=NOT_FOUND)
def get_session(
    request: Request, caller: CallerDep, session_id: str, access_scope: Scope = "owned"
) -> JSONResponse:
    """A session's runs and samplers."""
    with state_of(request).db.tx() as conn:
        row = _find_session(conn, session_id, caller, access_scope)
        runs = conn.execute(
            "SELECT id FROM runs WHERE session_id = ? ORDER BY rowid", (session_id,)
        ).fetchall()
        samplers = conn.execute(
            "SELECT id FROM samplers WHERE session_id = ? ORDER BY rowid", (session_id,)
        ).fetchall()
    return JSONResponse(
        {
            "training_run_ids": [r["id"] for r in runs],
            "sampler_ids": [s["id"] for s in samplers],
            "user_metadata": loads(row["user_metadata"]),
            "display_name": row["display_name"],
        }
    )


def _status_matches(status: dict[str, Any] | None, wanted: list[StatusQuery]) -> bool:
    if status is None:
        return False
    for query in wanted:
        if query.type != status["type"]:
            continue
        reasons = getattr(query, "reasons", None)
        if reasons is None or status.get("reason", {}).get("type") in reasons:
            return True
    return False


def _search_filter(body: SessionSearchRequest, caller: Caller) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if body.owner.type == "own":
        where.append("s.owner = ?")
        args.append(caller.urn)
    elif isinstance(body.owner, UserOwner):
        where.append(f"s.owner IN ({','.join('?' * len(body.owner.owner_urns))})")
        args.extend(body.owner.owner_urns)
    if body.project_ids is not None:
        unknown = sorted(set(body.project_ids) - set(PROJECTS))
        if unknown:
            raise api_error(400, f"Unknown or unlistable project_ids: {', '.join(unknown)}")
        where.append(f"s.project_id IN ({','.join('?' * len(body.project_ids))})")
        args.extend(body.project_ids)
    named: list[str] = []
    if body.session_id is not None:
        named.append("s.id = ?")
        args.append(body.session_id)
    if body.display_name is not None:
        words = body.display_name.lower().split() or [body.display_name.lower()]
        parts = []
        for word in words:
            parts.append("instr(lower(coalesce(s.display_name, '')), ?) > 0")
            args.append(word)
        named.append("(" + " AND ".join(parts) + ")")
    if named:
        where.append("(" + " OR ".join(named) + ")")
    if body.cursor is not None:
        last_ms = round(body.cursor.last_created_at.timestamp() * 1000)
        where.append("(s.created_ms < ? OR (s.created_ms = ? AND s.id < ?))")
        args.extend([last_ms, last_ms, body.cursor.last_session_id])
    return where, args


@router.post(
    "/sessions/search",
    responses={**answers(SessionSearchResponse), **errors(400, 422)},
    openapi_extra=reads(SessionSearchRequest),
)
def search_sessions(
    request: Request,
    caller: CallerDep,
    body: Annotated[SessionSearchRequest, Depends(struct_body(SessionSearchRequest))],
) -> JSONResponse:
    """Session summaries, newest first, filtered; `next_cursor` while more remain."""
    where, args = _search_filter(body, caller)
    clause = " AND ".join(where) or "1 = 1"
    found: list[dict[str, Any]] = []
    more = False
    with state_of(request).db.tx() as conn:
        query = conn.execute(
            f"SELECT s.* FROM sessions s WHERE {clause} ORDER BY s.created_ms DESC, s.id DESC",
            args,
        )
        for row in query:
            status = loads(row["status"])
            meta: dict[str, str] = loads(row["user_metadata"]) or {}
            if any(meta.get(k) != v for k, v in body.user_metadata.items()):
                continue
            if body.statuses is not None and not _status_matches(status, body.statuses):
                continue
            if len(found) == body.limit:
                more = True
                break
            count, size = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(c.size_bytes), 0) FROM checkpoints c"
                " JOIN runs r ON r.id = c.run_id WHERE r.session_id = ?",
                (row["id"],),
            ).fetchone()
            found.append(
                {
                    "session_id": row["id"],
                    "created_at": iso(row["created_ms"]),
                    "owner": row["owner"],
                    "project_id": row["project_id"],
                    "checkpoints_count": count,
                    "status": status,
                    "display_name": row["display_name"],
                    "user_metadata": meta or None,
                    "checkpoint_storage_bytes": size,
                }
            )
    next_cursor = None
    if more and found:
        last = found[-1]
        next_cursor = {"last_created_at": last["created_at"], "last_session_id": last["session_id"]}
    return JSONResponse({"sessions": found, "next_cursor": next_cursor})


@router.put("/sessions/{session_id}/project", responses=errors(400, 403, 404))
def assign_project(
    request: Request, caller: CallerDep, session_id: str, body: ProjectAssignment
) -> JSONResponse:
    """Move a session (and so its runs and samplers) to another project the caller can use."""
    if not body.project_id.strip():
        raise api_error(400, "project_id must not be empty")
    if body.project_id not in PROJECTS:
        raise api_error(403, f"No access to project {body.project_id!r}")
    with state_of(request).db.tx() as conn:
        _find_session(conn, session_id, caller, "owned")
        conn.execute(
            "UPDATE sessions SET project_id = ? WHERE id = ?", (body.project_id, session_id)
        )
    return JSONResponse({})


@router.get(
    "/sessions/{session_id}/trace_export", response_model=TraceExportResponse, responses=NOT_FOUND
)
def trace_export(request: Request, caller: CallerDep, session_id: str) -> JSONResponse:
    """Start or poll a trace export: `pending` for the first polls, then `ready` with a URL."""
    state = state_of(request)
    with state.db.tx() as conn:
        row = _find_session(conn, session_id, caller, "accessible")
        polls = row["trace_polls"] + 1
        conn.execute("UPDATE sessions SET trace_polls = ? WHERE id = ?", (polls, session_id))
    if polls < state.config.trace_export_polls:
        return JSONResponse({"status": "pending", "url": None, "error": None})
    url = signed_url(state, request, "trace", {"session": session_id})
    return JSONResponse({"status": "ready", "url": url, "error": None})


@router.get("/samplers/{sampler_id}", response_model=GetSamplerResponse, responses=NOT_FOUND)
def get_sampler(request: Request, caller: CallerDep, sampler_id: str) -> JSONResponse:
    """One sampler of the organisation."""
    with state_of(request).db.tx() as conn:
        row = conn.execute("SELECT * FROM samplers WHERE id = ?", (sampler_id,)).fetchone()
    if row is None:
        raise api_error(404, f"Sampler {sampler_id!r} not found")
    return JSONResponse(
        {"sampler_id": row["id"], "base_model": row["base_model"], "model_path": row["model_path"]}
    )
