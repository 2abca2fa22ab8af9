"""Training runs and checkpoint listings (protocol.md §4.2, §4.3 reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from lazytinker.api.models import (
    AccessScope,
    CheckpointsListResponse,
    TrainingRun,
    TrainingRunsResponse,
    WeightsInfoRequest,
    WeightsInfoResponse,
)
from lazytinker.api.paths import CheckpointRef, InvalidPathError
from lazytinker.server.auth import CallerDep
from lazytinker.server.repo import (
    base_models_of,
    checkpoints_json,
    find_run,
    runs_json,
    visible_checkpoint,
)
from lazytinker.server.routes.common import errors
from lazytinker.server.state import api_error, state_of
from lazytinker.server.structs import answers

__all__ = ["MAX_PAGE", "router", "tinker_router"]

MAX_PAGE = 1000
Limit = Annotated[int, Query(ge=0, le=MAX_PAGE, description="page size, 0..1000")]
Offset = Annotated[int, Query(ge=0, le=2**62, description="rows to skip")]
Scope = Annotated[AccessScope, Query(description="owned or accessible")]
NOT_FOUND = errors(404)

router = APIRouter(prefix="/api/v1")
tinker_router = APIRouter(prefix="/api/v1")


@router.get("/training_runs", responses=answers(TrainingRunsResponse))
def list_training_runs(
    request: Request,
    caller: CallerDep,
    limit: Limit = 20,
    offset: Offset = 0,
    access_scope: Scope = "owned",
    project_id: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """A page of runs, most recently active first, with `total_count`."""
    state = state_of(request)
    where, args = ["1 = 1"], []
    if access_scope == "owned":
        where.append("r.owner = ?")
        args.append(caller.urn)
    if project_id is not None:
        where.append("s.project_id = ?")
        args.append(project_id)
    clause = " AND ".join(where)
    base = f"FROM runs r JOIN sessions s ON s.id = r.session_id WHERE {clause}"
    with state.db.tx() as conn:
        total = conn.execute(f"SELECT COUNT(*) {base}", args).fetchone()[0]
        rows = conn.execute(
            f"SELECT r.* {base} ORDER BY r.last_request_ms DESC, r.id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        runs = runs_json(conn, rows, state.flavor)
    cursor = {"offset": offset, "limit": limit, "total_count": total}
    return JSONResponse({"training_runs": runs, "cursor": cursor})


@router.get("/training_runs/{run_id}", responses={**answers(TrainingRun), **NOT_FOUND})
def get_training_run(
    request: Request, caller: CallerDep, run_id: str, access_scope: Scope = "owned"
) -> JSONResponse:
    """One run."""
    state = state_of(request)
    with state.db.tx() as conn:
        row = find_run(conn, run_id, caller, access_scope)
        return JSONResponse(runs_json(conn, [row], state.flavor)[0])


@router.get(
    "/training_runs/{run_id}/checkpoints",
    responses={**answers(CheckpointsListResponse), **NOT_FOUND},
)
def list_run_checkpoints(request: Request, caller: CallerDep, run_id: str) -> JSONResponse:
    """Every checkpoint of a run the caller can see, oldest first, no cursor."""
    state = state_of(request)
    with state.db.tx() as conn:
        run = find_run(conn, run_id, caller, "accessible")
        rows = conn.execute(
            "SELECT * FROM checkpoints WHERE run_id = ? ORDER BY time_ms, kind, name", (run_id,)
        ).fetchall()
        base = {run_id: run["base_model"]}
    body: dict[str, object] = {"checkpoints": checkpoints_json(rows, state.flavor, base)}
    if state.flavor == "tinker":
        body["cursor"] = None
    return JSONResponse(body)


@tinker_router.get("/checkpoints", responses=answers(CheckpointsListResponse))
def list_user_checkpoints(
    request: Request, caller: CallerDep, limit: Limit = 100, offset: Offset = 0
) -> JSONResponse:
    """A page of the caller's checkpoints across runs, newest first."""
    state = state_of(request)
    with state.db.tx() as conn:
        total = conn.execute(
            "SELECT COUNT(*) FROM checkpoints WHERE owner = ?", (caller.urn,)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT * FROM checkpoints WHERE owner = ?"
            " ORDER BY time_ms DESC, run_id, kind, name LIMIT ? OFFSET ?",
            (caller.urn, limit, offset),
        ).fetchall()
        base = base_models_of(conn, {row["run_id"] for row in rows})
    cursor = {"offset": offset, "limit": limit, "total_count": total}
    checkpoints = checkpoints_json(rows, state.flavor, base)
    return JSONResponse({"checkpoints": checkpoints, "cursor": cursor})


@tinker_router.post("/weights_info", response_model=WeightsInfoResponse, responses=errors(400, 404))
def weights_info(request: Request, caller: CallerDep, body: WeightsInfoRequest) -> JSONResponse:
    """How to load a checkpoint the caller owns, or a public one."""
    try:
        ref = CheckpointRef.parse(body.tinker_path)
    except InvalidPathError as error:
        raise api_error(400, str(error)) from None
    if ref.flavor != "tinker":
        raise api_error(400, f"Invalid tinker path {body.tinker_path!r}")
    state = state_of(request)
    with state.db.tx() as conn:
        visible_checkpoint(conn, ref, caller)
        run = conn.execute("SELECT * FROM runs WHERE id = ?", (ref.run_id,)).fetchone()
    info = WeightsInfoResponse(
        base_model=run["base_model"],
        is_lora=bool(run["is_lora"]),
        lora_rank=run["lora_rank"],
        train_unembed=bool(run["train_unembed"]),
        train_mlp=bool(run["train_mlp"]),
        train_attn=bool(run["train_attn"]),
    )
    return JSONResponse(info.model_dump(mode="json"))
