"""Models, weights and futures: what `create_training_client_from_state` and
`save_weights_external` call (protocol.md §5). The other compute routes stay fast 404s (core.py).

Each call that does work answers a future handle at once; `retrieve_future` gives its outcome.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from lazytinker.api.training_models import (
    CreateModelRequest,
    CreateModelResponse,
    FutureHandle,
    FutureRetrieveRequest,
    GetInfoRequest,
    GetInfoResponse,
    LoadWeightsRequest,
    LoadWeightsResponse,
    LoraConfig,
    RequestFailedResponse,
    SaveWeightsExternalRequest,
    SaveWeightsExternalResponse,
    TryAgainResponse,
)
from lazytinker.server.auth import CallerDep
from lazytinker.server.catalog import MODELS
from lazytinker.server.futures import failed, retrieve, submit
from lazytinker.server.routes.common import errors
from lazytinker.server.state import Caller, ServerState, api_error, state_of
from lazytinker.server.training import (
    RunSpec,
    create_run,
    export_external,
    load_outcome,
    loadable_checkpoint,
    model_info,
    open_model,
    open_session,
    owned_model,
    seq_taken,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["training"])
SUBMIT_ERRORS = errors(400, 404, 410)
FutureOutcome = (
    TryAgainResponse
    | LoadWeightsResponse
    | CreateModelResponse
    | SaveWeightsExternalResponse
    | RequestFailedResponse
)
_OFFERED = {model.name for model in MODELS}


def _flag(value: int | None) -> bool:
    return True if value is None else bool(value)


def _answer(
    conn: sqlite3.Connection,
    state: ServerState,
    caller: Caller,
    kind: str,
    outcome: dict[str, Any],
    model_id: str | None,
) -> JSONResponse:
    handle = submit(
        conn,
        caller,
        kind,
        outcome,
        pending_polls=state.config.future_pending_polls,
        now_ms=state.now_ms(),
        model_id=model_id,
    )
    return JSONResponse(handle)


@router.post("/create_model", response_model=FutureHandle, responses=SUBMIT_ERRORS)
def create_model(request: Request, caller: CallerDep, body: CreateModelRequest) -> JSONResponse:
    """A new LoRA run `{session_id}:train:{model_seq_id}` on an offered base model (a future)."""
    state = state_of(request)
    now = state.now_ms()
    with state.db.tx() as conn:
        session = open_session(conn, body.session_id, caller)
        if body.base_model not in _OFFERED:
            outcome = failed(f"Base model {body.base_model!r} is not offered here")
            return _answer(conn, state, caller, "create_model", outcome, None)
        lora = body.lora_config or LoraConfig(rank=32)
        trains = (lora.train_unembed, lora.train_mlp, lora.train_attn)
        spec = RunSpec(body.base_model, lora.rank, trains, body.user_metadata)
        model_id = create_run(conn, session, body.model_seq_id, spec, now)
        if model_id is None:
            outcome = seq_taken(session, body.model_seq_id)
        else:
            outcome = CreateModelResponse(model_id=model_id).model_dump()
        return _answer(conn, state, caller, "create_model", outcome, model_id)


def _load(
    conn: sqlite3.Connection, body: LoadWeightsRequest, caller: Caller, now: int
) -> tuple[dict[str, Any], str | None]:
    """The outcome of a load and the model it made or loaded into (None when it failed)."""
    session = target = None
    if body.session_id is not None and body.model_seq_id is not None:
        session = open_session(conn, body.session_id, caller)
    elif body.model_id is not None:
        target = open_model(conn, body.model_id, caller, now)
    else:
        raise api_error(400, "load_weights needs session_id and model_seq_id, or model_id")
    source, why = loadable_checkpoint(conn, body.path, caller)
    if source is None:
        return failed(why), None
    wanted = target["base_model"] if target is not None else body.base_model
    if wanted and wanted != source["base_model"]:
        return failed(f"{body.path} is a {source['base_model']} checkpoint, not {wanted}"), None
    if session is None or body.model_seq_id is None:
        assert target is not None
        return load_outcome(body.path, target["id"]), target["id"]
    spec = RunSpec(
        source["base_model"],
        source["lora_rank"] or 32,
        (_flag(source["train_unembed"]), _flag(source["train_mlp"]), _flag(source["train_attn"])),
        body.user_metadata,
    )
    model_id = create_run(conn, session, body.model_seq_id, spec, now)
    if model_id is None:
        return seq_taken(session, body.model_seq_id), None
    return load_outcome(body.path, model_id), model_id


@router.post("/load_weights", response_model=FutureHandle, responses=SUBMIT_ERRORS)
def load_weights(request: Request, caller: CallerDep, body: LoadWeightsRequest) -> JSONResponse:
    """Load a training checkpoint: into a new run `{session_id}:train:{model_seq_id}`, or into
    an existing `model_id` (a future; a checkpoint that cannot be loaded fails it)."""
    state = state_of(request)
    with state.db.tx() as conn:
        outcome, model_id = _load(conn, body, caller, state.now_ms())
        return _answer(conn, state, caller, "load_weights", outcome, model_id)


@router.post("/get_info", response_model=GetInfoResponse, responses=errors(404))
def get_info(request: Request, caller: CallerDep, body: GetInfoRequest) -> JSONResponse:
    """A run's model: base model, architecture, tokenizer, LoRA rank."""
    with state_of(request).db.tx() as conn:
        run = owned_model(conn, body.model_id, caller)
    return JSONResponse(model_info(run))


@router.post("/save_weights_external", response_model=FutureHandle, responses=SUBMIT_ERRORS)
def save_weights_external(
    request: Request, caller: CallerDep, body: SaveWeightsExternalRequest
) -> JSONResponse:
    """Export a run as `tinker://<run>/external_weights/<path>` (PEFT files; a future)."""
    state = state_of(request)
    now = state.now_ms()
    with state.db.tx() as conn:
        run = open_model(conn, body.model_id, caller, now)
        outcome = export_external(
            conn, run, body.path, body.ttl_seconds, body.age_encryption_recipients, now
        )
        return _answer(conn, state, caller, "save_weights_external", outcome, run["id"])


@router.post("/retrieve_future", response_model=FutureOutcome, responses=errors(404))
def retrieve_future(
    request: Request, caller: CallerDep, body: FutureRetrieveRequest
) -> JSONResponse:
    """A future's outcome: its result, `{"error", "category"}`, or `try_again` while busy."""
    with state_of(request).db.tx() as conn:
        return JSONResponse(retrieve(conn, body.request_id, caller))
