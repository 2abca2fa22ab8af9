"""Routes only the HPC-AI flavor has: checkpoint ids without the kind segment (protocol.md §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from lazytinker.api.paths import CheckpointRef
from lazytinker.server.auth import CallerDep
from lazytinker.server.repo import audit, owned_checkpoint
from lazytinker.server.routes.common import errors
from lazytinker.server.state import state_of

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")


@router.delete(
    "/training_runs/{run_id}/checkpoints/{name:path}",
    responses=errors(404),
)
def delete_checkpoint(
    request: Request,
    caller: CallerDep,
    run_id: str,
    name: Annotated[str, Path(min_length=1, max_length=500)],
) -> JSONResponse:
    """Delete a checkpoint; the id has no kind, so a training checkpoint wins over a sampler one."""
    ref = CheckpointRef.from_checkpoint_id(run_id, name, "hpcai")
    state = state_of(request)
    with state.db.tx() as conn:
        row = owned_checkpoint(conn, ref, caller)
        conn.execute(
            "DELETE FROM checkpoints WHERE run_id = ? AND kind = ? AND name = ?",
            (row["run_id"], row["kind"], row["name"]),
        )
        audit(conn, state.now_ms(), caller, "checkpoint_delete", ref.path)
    return JSONResponse({})
