"""The archive as quirky servers serve it: `--quirks file-archive` and `--quirks empty-member`.

`compat.install` puts these routes in front of the usual ones, so they shadow them only when the
quirk is on.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from lazytinker.api.paths import CheckpointKind, CheckpointRef
from lazytinker.server.archive import checkpoint_tar
from lazytinker.server.auth import CallerDep
from lazytinker.server.catalog import model_named
from lazytinker.server.repo import find_checkpoint, visible_checkpoint
from lazytinker.server.routes.manage import PREFIX, Name, Segment, tinker_ref
from lazytinker.server.signing import SIGNED_PREFIX, verify
from lazytinker.server.state import Caller, api_error, state_of
from lazytinker.server.targz import empty_root_header, gzip_stream

__all__ = ["FILE_ROOT", "empty_member_router", "file_archive_hpcai", "file_archive_tinker"]

# Where such a server keeps its checkpoints: a folder on the server, useless to a client.
FILE_ROOT = "/var/lib/tinker/checkpoints"
file_archive_tinker = APIRouter(prefix="/api/v1", include_in_schema=False)
file_archive_hpcai = APIRouter(prefix="/api/v1", include_in_schema=False)
empty_member_router = APIRouter(prefix=SIGNED_PREFIX, include_in_schema=False)


def _file_redirect(request: Request, caller: Caller, ref: CheckpointRef) -> JSONResponse:
    with state_of(request).db.tx() as conn:
        row = visible_checkpoint(conn, ref, caller)
    folder = "/".join(quote(part, safe="") for part in (row["run_id"], row["kind"], row["name"]))
    url = f"file://{FILE_ROOT}/{folder}"
    return JSONResponse({"url": url}, status_code=302, headers={"Location": url})


@file_archive_tinker.get(PREFIX + "/archive")
def tinker_file_archive(
    request: Request, caller: CallerDep, run_id: str, kind: Segment, name: Name
) -> JSONResponse:
    """302 to a `file://` folder on the server."""
    return _file_redirect(request, caller, tinker_ref(run_id, kind, name))


@file_archive_hpcai.get("/training_runs/{run_id}/checkpoints/{name:path}/archive")
def hpcai_file_archive(
    request: Request,
    caller: CallerDep,
    run_id: str,
    name: Annotated[str, Path(min_length=1, max_length=500)],
) -> JSONResponse:
    """302 to a `file://` folder on the server (hpcai ids)."""
    ref = CheckpointRef.from_checkpoint_id(run_id, name, "hpcai")
    return _file_redirect(request, caller, ref)


@empty_member_router.api_route("/archive", methods=["GET", "HEAD"])
def empty_member_archive(request: Request) -> Response:
    """The checkpoint as a .tar.gz whose first member is the directory ''."""
    state = state_of(request)
    params = verify(state, "archive", request.query_params, ("run", "kind", "name"))
    try:
        kind = CheckpointKind(params["kind"])
    except ValueError:
        raise api_error(403, "Signed URL names no checkpoint kind") from None
    with state.db.tx() as conn:
        row = find_checkpoint(conn, CheckpointRef(params["run"], kind, params["name"]))
        run = conn.execute("SELECT * FROM runs WHERE id = ?", (params["run"],)).fetchone()
    if row is None or run is None:
        raise api_error(404, "The checkpoint no longer exists")
    mtime = row["time_ms"] // 1000
    tar = checkpoint_tar(
        model_named(run["base_model"]), run["lora_rank"] or 8, row["size_bytes"] or 0, mtime
    )
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", row["name"])
    headers = {"Content-Disposition": f'attachment; filename="{safe}.tar.gz"'}
    if request.method == "HEAD":
        return Response(headers=headers, media_type="application/gzip")
    stream = gzip_stream(empty_root_header(mtime), tar)
    return StreamingResponse(stream, headers=headers, media_type="application/gzip")
