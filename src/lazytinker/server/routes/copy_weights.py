"""`POST /api/v1/copy_weights`: copy a checkpoint into a project or a session (protocol.md §4.3).

The copy is a checkpoint of the same kind and name in a new training run, sharing the source's
bytes; the source's expiry is not inherited. The SDK sends one `X-Idempotency-Key` for all its
retries: a key seen before answers the first copy again instead of making another.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from lazytinker.api.models import CopyWeightsRequest, CopyWeightsResponse
from lazytinker.api.paths import CheckpointRef, InvalidPathError
from lazytinker.server.auth import CallerDep
from lazytinker.server.catalog import PROJECTS
from lazytinker.server.repo import audit, visible_checkpoint
from lazytinker.server.routes.common import errors
from lazytinker.server.routes.manage import MAX_TTL_SECONDS, MIN_TTL_SECONDS
from lazytinker.server.state import Caller, api_error, state_of

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
IdempotencyKey = Annotated[str | None, Header(alias="X-Idempotency-Key", max_length=200)]
_FINISHED = {"type": "client_finished", "reason": {"type": "success"}, "detail": None}


def _source(body: CopyWeightsRequest) -> CheckpointRef:
    try:
        ref = CheckpointRef.parse(body.source_path)
    except InvalidPathError as error:
        raise api_error(400, str(error)) from None
    if ref.flavor != "tinker":
        raise api_error(400, f"Invalid tinker path {body.source_path!r}")
    return ref


def _new_run_id(
    conn: sqlite3.Connection, body: CopyWeightsRequest, caller: Caller, now: int
) -> str:
    """The id of the run that will hold the copy, making its session when it needs one."""
    if body.session_id is not None:
        if body.model_seq_id is None:
            raise api_error(400, "session_id needs model_seq_id")
        session = conn.execute("SELECT owner FROM sessions WHERE id = ?", (body.session_id,))
        row = session.fetchone()
        if row is None or row["owner"] != caller.urn:
            raise api_error(404, f"Session {body.session_id!r} not found")
        run_id = f"{body.session_id}:train:{body.model_seq_id}"
        if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None:
            raise api_error(400, f"Training run {run_id!r} already exists")
        return run_id
    project = body.destination_project_id
    if project is None:
        raise api_error(400, "Provide destination_project_id, or session_id and model_seq_id")
    if project not in PROJECTS:
        raise api_error(403, f"No access to project {project!r}")
    session_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO sessions (id, owner, project_id, created_ms, display_name, user_metadata,"
        " status) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            caller.urn,
            project,
            now,
            f"copy of {body.source_path}",
            json.dumps({"copied_from": body.source_path}),
            json.dumps(_FINISHED),
        ),
    )
    return f"{session_id}:train:0"


def _copy(conn: sqlite3.Connection, body: CopyWeightsRequest, caller: Caller, now: int) -> str:
    ttl = body.ttl_seconds
    if ttl is not None and not MIN_TTL_SECONDS <= ttl <= MAX_TTL_SECONDS:
        raise api_error(400, f"ttl_seconds must be between {MIN_TTL_SECONDS} and {MAX_TTL_SECONDS}")
    ref = _source(body)
    source = visible_checkpoint(conn, ref, caller)
    run = conn.execute("SELECT * FROM runs WHERE id = ?", (ref.run_id,)).fetchone()
    run_id = _new_run_id(conn, body, caller, now)
    conn.execute(
        "INSERT INTO runs (id, session_id, owner, base_model, is_lora, lora_rank, corrupted,"
        " last_request_ms, user_metadata, train_unembed, train_mlp, train_attn)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        (
            run_id,
            run_id.rsplit(":train:", 1)[0],
            caller.urn,
            run["base_model"],
            run["is_lora"],
            run["lora_rank"],
            now,
            json.dumps({"copied_from": ref.path}),
            run["train_unembed"],
            run["train_mlp"],
            run["train_attn"],
        ),
    )
    conn.execute(
        "INSERT INTO checkpoints (run_id, kind, name, owner, time_ms, size_bytes, public,"
        " expires_ms, user_metadata) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        (
            run_id,
            source["kind"],
            source["name"],
            caller.urn,
            now,
            source["size_bytes"],
            None if ttl is None else now + ttl * 1000,
            source["user_metadata"],
        ),
    )
    copied = CheckpointRef(run_id, ref.kind, ref.name).path
    details = {"destination_tinker_path": copied, "ttl_seconds": ttl}
    audit(conn, now, caller, "checkpoint_copy", ref.path, details)
    return copied


@router.post(
    "/copy_weights", response_model=CopyWeightsResponse, responses=errors(400, 403, 404, 422)
)
def copy_weights(
    request: Request,
    caller: CallerDep,
    body: CopyWeightsRequest,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Copy a checkpoint the caller can read; the same idempotency key gives the same copy."""
    state = state_of(request)
    fingerprint = body.model_dump_json()
    with state.db.tx() as conn:
        if idempotency_key:
            seen = conn.execute(
                "SELECT request, response FROM idempotency WHERE key = ? AND owner = ?",
                (idempotency_key, caller.urn),
            ).fetchone()
            if seen is not None:
                if seen["request"] != fingerprint:
                    raise api_error(422, "X-Idempotency-Key was used for another request")
                return JSONResponse(json.loads(seen["response"]))
        answer = {"tinker_path": _copy(conn, body, caller, state.now_ms())}
        if idempotency_key:
            conn.execute(
                "INSERT INTO idempotency (key, owner, request, response) VALUES (?, ?, ?, ?)",
                (idempotency_key, caller.urn, fingerprint, json.dumps(answer)),
            )
    return JSONResponse(answer)
