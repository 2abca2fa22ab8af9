"""Session lifecycle of a sessionful client: create, heartbeat, finish (protocol.md §1.3, §5).

A session opened here is a real row: it shows in the session listings, search and `GET
/sessions/{id}` like any other, `active` until its client finishes it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from lazytinker.api.training_models import (
    CreateSessionRequest,
    CreateSessionResponse,
    FinishSessionRequest,
    SessionHeartbeatRequest,
    SessionHeartbeatResponse,
)
from lazytinker.server.auth import CallerDep
from lazytinker.server.routes.common import errors
from lazytinker.server.state import state_of
from lazytinker.server.training import finish_session, new_session, open_session

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["sessions"])


@router.post("/create_session", response_model=CreateSessionResponse, responses=errors(403))
def create_session(request: Request, caller: CallerDep, body: CreateSessionRequest) -> JSONResponse:
    """Open a session (in `project_id`, or the default project); it stays active until finished."""
    state = state_of(request)
    with state.db.tx() as conn:
        session_id = new_session(conn, caller, body, state.now_ms())
    return JSONResponse(CreateSessionResponse(session_id=session_id).model_dump())


@router.post(
    "/session_heartbeat", response_model=SessionHeartbeatResponse, responses=errors(404, 410)
)
def session_heartbeat(
    request: Request, caller: CallerDep, body: SessionHeartbeatRequest
) -> JSONResponse:
    """Keep a session alive; 410 once it has finished (the SDK then stops its heartbeats)."""
    with state_of(request).db.tx() as conn:
        open_session(conn, body.session_id, caller)
    return JSONResponse(SessionHeartbeatResponse().model_dump())


@router.post("/sessions/{session_id}/finish", responses=errors(404))
def finish(
    request: Request, caller: CallerDep, session_id: str, body: FinishSessionRequest
) -> JSONResponse:
    """Finish a session with the client's reason; a session that already ended keeps its own."""
    with state_of(request).db.tx() as conn:
        finish_session(conn, session_id, caller, body.reason.type, body.detail)
    return JSONResponse({})
