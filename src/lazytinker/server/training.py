"""Sessions a client opens and the training runs it makes in them: the rules behind the
lifecycle and training routes (protocol.md §5), on one database connection.

The stand-in trains nothing. Loading a checkpoint creates a run with the checkpoint's base model
and LoRA settings; exporting a run adds an `external_weights/` checkpoint whose files are
generated from that model and rank, so every export of the same checkpoint has the same bytes.
A request must name an open session (or a run in one) of the caller: an unknown one is 404, a
finished one 410. What the request asks for then succeeds or fails in its future.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from lazytinker.api.paths import CheckpointKind, CheckpointRef, InvalidPathError
from lazytinker.api.training_models import (
    CreateSessionRequest,
    GetInfoResponse,
    LoadWeightsResponse,
    ModelData,
    SaveWeightsExternalResponse,
)
from lazytinker.server.catalog import PROJECTS, model_named
from lazytinker.server.futures import failed
from lazytinker.server.repo import find_checkpoint
from lazytinker.server.seed import adapter_size
from lazytinker.server.state import Caller, api_error
from lazytinker.server.views import loads

__all__ = [
    "RunSpec",
    "create_run",
    "export_external",
    "finish_session",
    "load_outcome",
    "model_info",
    "new_session",
    "open_model",
    "open_session",
    "owned_model",
    "seq_taken",
]

MIN_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 10 * 365 * 24 * 3600
_ARCHES = (
    ("a3b", "qwen3_moe"),
    ("a22b", "qwen3_moe"),
    ("qwen", "qwen3"),
    ("llama", "llama"),
    ("gpt-oss", "gpt_oss"),
    ("deepseek", "deepseek_v3"),
)


def _metadata_json(metadata: dict[str, Any] | None) -> str | None:
    """Metadata is a string map on the wire: other values are stored as their JSON text."""
    if not metadata:
        return None
    flat = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
    return json.dumps(flat, sort_keys=True)


def _is_open(session: sqlite3.Row) -> bool:
    status = loads(session["status"])
    return isinstance(status, dict) and status.get("type") == "active"


def new_session(
    conn: sqlite3.Connection, caller: Caller, body: CreateSessionRequest, now_ms: int
) -> str:
    """Open a session for the caller; 403 for a project they cannot use."""
    project = body.project_id or PROJECTS[0]
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
            now_ms,
            body.display_name,
            _metadata_json(body.user_metadata),
            json.dumps({"type": "active"}),
        ),
    )
    return session_id


def owned_session(conn: sqlite3.Connection, session_id: str, caller: Caller) -> sqlite3.Row:
    """A session of the caller, open or not; 404 otherwise."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    if row is None or row["owner"] != caller.urn:
        raise api_error(404, f"Session {session_id!r} not found")
    return row


def open_session(conn: sqlite3.Connection, session_id: str, caller: Caller) -> sqlite3.Row:
    """An open session of the caller: 404 if there is none, 410 once it has finished."""
    row = owned_session(conn, session_id, caller)
    if not _is_open(row):
        raise api_error(410, f"Session {session_id!r} has finished")
    return row


def finish_session(
    conn: sqlite3.Connection, session_id: str, caller: Caller, reason: str, detail: str | None
) -> None:
    """Mark a session finished by its client; a session that already ended keeps its status."""
    row = owned_session(conn, session_id, caller)
    if row["status"] is not None and not _is_open(row):
        return
    status = {"type": "client_finished", "reason": {"type": reason}, "detail": detail}
    conn.execute("UPDATE sessions SET status = ? WHERE id = ?", (json.dumps(status), session_id))


def owned_model(conn: sqlite3.Connection, model_id: str, caller: Caller) -> sqlite3.Row:
    """A training run of the caller (its model id is its run id); 404 otherwise."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM runs WHERE id = ?", (model_id,)
    ).fetchone()
    if row is None or row["owner"] != caller.urn:
        raise api_error(404, f"Model {model_id!r} not found")
    return row


def open_model(conn: sqlite3.Connection, model_id: str, caller: Caller, now_ms: int) -> sqlite3.Row:
    """A run of the caller in an open session (410 once it has finished); touches the run."""
    run = owned_model(conn, model_id, caller)
    open_session(conn, run["session_id"], caller)
    conn.execute("UPDATE runs SET last_request_ms = ? WHERE id = ?", (now_ms, model_id))
    return run


@dataclass(frozen=True)
class RunSpec:
    """What a new training run is made of."""

    base_model: str
    lora_rank: int
    trains: tuple[bool, bool, bool]  # unembed, mlp, attn
    metadata: dict[str, Any] | None = None


def create_run(
    conn: sqlite3.Connection, session: sqlite3.Row, seq: int, spec: RunSpec, now_ms: int
) -> str | None:
    """Add run `{session}:train:{seq}` and return its id. A run already there is kept if it is
    the same model (a retried request); None when `seq` already names a run of another model."""
    run_id = f"{session['id']}:train:{seq}"
    existing: sqlite3.Row | None = conn.execute(
        "SELECT base_model, lora_rank FROM runs WHERE id = ?", (run_id,)
    ).fetchone()
    if existing is not None:
        same = (existing["base_model"], existing["lora_rank"]) == (spec.base_model, spec.lora_rank)
        return run_id if same else None
    unembed, mlp, attn = spec.trains
    conn.execute(
        "INSERT INTO runs (id, session_id, owner, base_model, is_lora, lora_rank, corrupted,"
        " last_request_ms, user_metadata, train_unembed, train_mlp, train_attn)"
        " VALUES (?, ?, ?, ?, 1, ?, 0, ?, ?, ?, ?, ?)",
        (
            run_id,
            session["id"],
            session["owner"],
            spec.base_model,
            spec.lora_rank,
            now_ms,
            _metadata_json(spec.metadata),
            int(unembed),
            int(mlp),
            int(attn),
        ),
    )
    return run_id


def seq_taken(session: sqlite3.Row, seq: int) -> dict[str, Any]:
    """The failure of a request whose `model_seq_id` names a run of another model."""
    return failed(f"Model {session['id']}:train:{seq} already exists with another base model")


def loadable_checkpoint(
    conn: sqlite3.Connection, path: str, caller: Caller
) -> tuple[sqlite3.Row | None, str]:
    """The run behind a training checkpoint the caller may load, or None and why not."""
    try:
        ref = CheckpointRef.parse(path)
    except InvalidPathError as error:
        return None, str(error)
    if ref.flavor != "tinker" or ref.kind != CheckpointKind.TRAINING:
        return None, f"Only training checkpoints (tinker://RUN/weights/NAME) load: {path}"
    row = find_checkpoint(conn, ref)
    if row is None or (row["owner"] != caller.urn and not row["public"]):
        return None, f"Checkpoint {path} not found"
    run: sqlite3.Row | None = conn.execute(
        "SELECT * FROM runs WHERE id = ?", (ref.run_id,)
    ).fetchone()
    if run is None:
        return None, f"Checkpoint {path} not found"
    return run, ""


def load_outcome(path: str, model_id: str) -> dict[str, Any]:
    """The result of a load that worked."""
    return LoadWeightsResponse(path=path, model_id=model_id).model_dump()


def _arch(name: str) -> str:
    lowered = name.lower()
    return next((arch for key, arch in _ARCHES if key in lowered), "unknown")


def model_info(run: sqlite3.Row) -> dict[str, Any]:
    """`get_info` of a run: its base model, tokenizer and LoRA rank."""
    name = run["base_model"]
    return GetInfoResponse(
        model_data=ModelData(arch=_arch(name), model_name=name, tokenizer_id=name),
        model_id=run["id"],
        is_lora=bool(run["is_lora"]),
        lora_rank=run["lora_rank"],
        model_name=name,
    ).model_dump(mode="json")


def export_size(run: sqlite3.Row) -> int:
    """Bytes of a run's PEFT export: its adapter, in whole 512-byte blocks."""
    size = adapter_size(model_named(run["base_model"]), run["lora_rank"] or 32)
    return max(16 * 512, size // 512 * 512)


def _export_refusal(name: str, ttl: int | None, recipients: list[str] | None) -> str:
    if not name.strip() or "/" in name or len(name) > 500:
        return f"Invalid checkpoint name {name!r}: 1..500 characters, no '/'"
    if ttl is not None and not MIN_TTL_SECONDS <= ttl <= MAX_TTL_SECONDS:
        return f"ttl_seconds must be between {MIN_TTL_SECONDS} and {MAX_TTL_SECONDS} or null"
    if recipients:
        return "age encryption of exports is not offered by this server"
    return ""


def export_external(
    conn: sqlite3.Connection,
    run: sqlite3.Row,
    name: str,
    ttl: int | None,
    recipients: list[str] | None,
    now_ms: int,
) -> dict[str, Any]:
    """Save a run as `external_weights/<name>`: the future's outcome, a result or a failure."""
    refusal = _export_refusal(name, ttl, recipients)
    if refusal:
        return failed(refusal)
    ref = CheckpointRef(run["id"], CheckpointKind.EXTERNAL, name)
    if find_checkpoint(conn, ref) is not None:
        return failed(f"Checkpoint {ref.path} already exists")
    size = export_size(run)
    conn.execute(
        "INSERT INTO checkpoints (run_id, kind, name, owner, time_ms, size_bytes, public,"
        " expires_ms) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
        (
            run["id"],
            CheckpointKind.EXTERNAL.value,
            name,
            run["owner"],
            now_ms,
            size,
            None if ttl is None else now_ms + ttl * 1000,
        ),
    )
    return SaveWeightsExternalResponse(path=ref.path, size_bytes=size).model_dump()
