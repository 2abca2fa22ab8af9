"""Checkpoint management: delete, publish, unpublish and TTL (protocol.md §4.3, §7).

Tinker routes spell the kind as its own URL segment (`/checkpoints/{kind}/{name}`), so a
checkpoint called `publish` or `ttl` is never mistaken for an action.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from lazytinker.api.models import TtlRequest
from lazytinker.api.paths import CheckpointRef
from lazytinker.server.auth import CallerDep
from lazytinker.server.repo import audit, owned_checkpoint
from lazytinker.server.routes.common import errors
from lazytinker.server.state import api_error, state_of

__all__ = ["MAX_TTL_SECONDS", "MIN_TTL_SECONDS", "Segment", "router", "tinker_ref"]

MIN_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 10 * 365 * 24 * 3600
ERRORS = errors(400, 404, 409)


class Segment(StrEnum):
    """The kind segment of a tinker checkpoint id."""

    WEIGHTS = "weights"
    SAMPLER_WEIGHTS = "sampler_weights"
    EXTERNAL_WEIGHTS = "external_weights"


Name = Annotated[str, Path(min_length=1, max_length=500, description="checkpoint name")]
PREFIX = "/training_runs/{run_id}/checkpoints/{kind}/{name}"
router = APIRouter(prefix="/api/v1")


def tinker_ref(run_id: str, kind: Segment, name: str) -> CheckpointRef:
    """The reference a tinker URL names; 400 when the run id or name is unusable."""
    if not run_id.strip() or not name.strip() or "/" in name:
        raise api_error(400, f"Invalid checkpoint id {kind.value}/{name!r} of run {run_id!r}")
    return CheckpointRef.parse(f"tinker://{run_id}/{kind.value}/{name}")


def _ok() -> JSONResponse:
    return JSONResponse({})


@router.delete(PREFIX, responses=ERRORS)
def delete_checkpoint(
    request: Request, caller: CallerDep, run_id: str, kind: Segment, name: Name
) -> JSONResponse:
    """Delete a checkpoint the caller owns, for good."""
    ref = tinker_ref(run_id, kind, name)
    state = state_of(request)
    with state.db.tx() as conn:
        row = owned_checkpoint(conn, ref, caller)
        conn.execute(
            "DELETE FROM checkpoints WHERE run_id = ? AND kind = ? AND name = ?",
            (row["run_id"], row["kind"], row["name"]),
        )
        audit(conn, state.now_ms(), caller, "checkpoint_delete", ref.path)
    return _ok()


def _set_public(request: Request, caller: CallerDep, ref: CheckpointRef, public: bool) -> None:
    state = state_of(request)
    with state.db.tx() as conn:
        row = owned_checkpoint(conn, ref, caller)
        if bool(row["public"]) == public:
            raise api_error(409, f"Checkpoint is already {'public' if public else 'private'}")
        conn.execute(
            "UPDATE checkpoints SET public = ? WHERE run_id = ? AND kind = ? AND name = ?",
            (int(public), row["run_id"], row["kind"], row["name"]),
        )
        event = "checkpoint_publish" if public else "checkpoint_unpublish"
        audit(conn, state.now_ms(), caller, event, ref.path)


@router.post(PREFIX + "/publish", responses=ERRORS)
def publish_checkpoint(
    request: Request, caller: CallerDep, run_id: str, kind: Segment, name: Name
) -> JSONResponse:
    """Make a checkpoint public; 409 when it already is."""
    _set_public(request, caller, tinker_ref(run_id, kind, name), True)
    return _ok()


@router.delete(PREFIX + "/publish", responses=ERRORS)
def unpublish_checkpoint(
    request: Request, caller: CallerDep, run_id: str, kind: Segment, name: Name
) -> JSONResponse:
    """Make a checkpoint private; 409 when it already is."""
    _set_public(request, caller, tinker_ref(run_id, kind, name), False)
    return _ok()


@router.put(PREFIX + "/ttl", responses=ERRORS)
def set_checkpoint_ttl(
    request: Request,
    caller: CallerDep,
    run_id: str,
    kind: Segment,
    name: Name,
    body: TtlRequest,
) -> JSONResponse:
    """Expire a checkpoint `ttl_seconds` from now (3600 s .. 10 years); `null` removes expiry."""
    ref = tinker_ref(run_id, kind, name)
    ttl = body.ttl_seconds
    if ttl is not None and not MIN_TTL_SECONDS <= ttl <= MAX_TTL_SECONDS:
        raise api_error(
            400,
            f"ttl_seconds must be between {MIN_TTL_SECONDS} and {MAX_TTL_SECONDS}"
            f" (10 years) or null, not {ttl}",
        )
    state = state_of(request)
    with state.db.tx() as conn:
        row = owned_checkpoint(conn, ref, caller)
        now = state.now_ms()
        expires = None if ttl is None else now + ttl * 1000
        conn.execute(
            "UPDATE checkpoints SET expires_ms = ? WHERE run_id = ? AND kind = ? AND name = ?",
            (expires, row["run_id"], row["kind"], row["name"]),
        )
        audit(conn, now, caller, "checkpoint_set_ttl", ref.path, {"ttl_seconds": ttl})
    return _ok()
