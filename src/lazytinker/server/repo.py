"""Queries shared by the routes: visibility rules, runs with their newest checkpoints, lookups.

Visibility: `owned` = the caller's own rows; `accessible` = everything in the organisation. Only
the owner may change a checkpoint; for anyone else it does not exist (404), as in production.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor
from lazytinker.server.state import Caller, api_error
from lazytinker.server.views import checkpoint_json, run_json

__all__ = [
    "audit",
    "base_models_of",
    "checkpoints_json",
    "find_checkpoint",
    "find_run",
    "owned_checkpoint",
    "runs_json",
]


def find_run(conn: sqlite3.Connection, run_id: str, caller: Caller, scope: str) -> sqlite3.Row:
    """A run the caller may see in `scope`, else 404."""
    row: sqlite3.Row | None = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None or (scope == "owned" and row["owner"] != caller.urn):
        raise api_error(404, f"Training run {run_id!r} not found")
    return row


def runs_json(
    conn: sqlite3.Connection, rows: list[sqlite3.Row], flavor: Flavor
) -> list[dict[str, Any]]:
    """Runs as wire JSON, each with its newest training and sampler checkpoint (one query)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    marks = ",".join("?" * len(ids))
    newest: dict[tuple[str, str], sqlite3.Row] = {}
    for ckpt in conn.execute(
        f"SELECT * FROM checkpoints WHERE run_id IN ({marks}) AND kind IN ('training', 'sampler')"
        " ORDER BY time_ms",
        ids,
    ):
        newest[(ckpt["run_id"], ckpt["kind"])] = ckpt
    sessions = sorted({row["session_id"] for row in rows})
    projects = {
        session["id"]: session["project_id"]
        for session in conn.execute(
            f"SELECT id, project_id FROM sessions WHERE id IN ({','.join('?' * len(sessions))})",
            sessions,
        )
    }
    return [
        run_json(
            row,
            flavor,
            newest.get((row["id"], "training")),
            newest.get((row["id"], "sampler")),
            projects.get(row["session_id"]),
        )
        for row in rows
    ]


def find_checkpoint(conn: sqlite3.Connection, ref: CheckpointRef) -> sqlite3.Row | None:
    """The checkpoint a reference names. hpcai ids carry no kind: training first, then sampler."""
    kinds = [ref.kind.value]
    if ref.flavor == "hpcai":
        kinds = [CheckpointKind.TRAINING.value, CheckpointKind.SAMPLER.value]
    for kind in kinds:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM checkpoints WHERE run_id = ? AND kind = ? AND name = ?",
            (ref.run_id, kind, ref.name),
        ).fetchone()
        if row is not None:
            return row
    return None


def owned_checkpoint(conn: sqlite3.Connection, ref: CheckpointRef, caller: Caller) -> sqlite3.Row:
    """A checkpoint the caller owns (and so may change), else 404."""
    row = find_checkpoint(conn, ref)
    if row is None or row["owner"] != caller.urn:
        raise api_error(404, f"Checkpoint {ref.path!r} not found")
    return row


def visible_checkpoint(conn: sqlite3.Connection, ref: CheckpointRef, caller: Caller) -> sqlite3.Row:
    """A checkpoint the caller owns or that is public, else 404."""
    row = find_checkpoint(conn, ref)
    if row is None or (row["owner"] != caller.urn and not row["public"]):
        raise api_error(404, f"Checkpoint {ref.path!r} not found")
    return row


def audit(
    conn: sqlite3.Connection,
    when_ms: int,
    caller: Caller,
    event: str,
    path: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a management action for the audit log."""
    conn.execute(
        "INSERT INTO audit (time_ms, owner, event, tinker_path, details) VALUES (?, ?, ?, ?, ?)",
        (when_ms, caller.urn, event, path, json.dumps(details or {})),
    )


def checkpoints_json(
    rows: list[sqlite3.Row], flavor: Flavor, base_models: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Checkpoint rows as wire JSON; hpcai cannot represent external checkpoints, so drops them.

    `base_models` maps run ids to their base model, which tinker checkpoints then name.
    """
    if flavor == "hpcai":
        rows = [row for row in rows if row["kind"] != CheckpointKind.EXTERNAL.value]
        base_models = None
    models = base_models or {}
    return [checkpoint_json(row, flavor, models.get(row["run_id"])) for row in rows]


def base_models_of(conn: sqlite3.Connection, run_ids: set[str]) -> dict[str, str]:
    """The base model of each of these runs."""
    ids = sorted(run_ids)
    found = conn.execute(
        f"SELECT id, base_model FROM runs WHERE id IN ({','.join('?' * len(ids))})", ids
    )
    return {row["id"]: row["base_model"] for row in found}
