"""Database rows to wire JSON, in the shapes of protocol.md §3 for each flavor.

Tinker sends `tinker_path` and the full checkpoint; the HPC-AI fork sends `checkpoint_path`, an id
without the kind segment, and none of the fields it lacks (§9).
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor

__all__ = [
    "checkpoint_json",
    "from_ms",
    "iso",
    "loads",
    "ref_of",
    "run_json",
]


def from_ms(value: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def iso(value: int | None) -> str | None:
    """Epoch milliseconds as RFC 3339 with `Z` (None stays None); milliseconds only when set."""
    if value is None:
        return None
    seconds, millis = divmod(value, 1000)
    # strftime on a struct_time is several times faster than datetime for a 1000-row page.
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def loads(text: str | None) -> Any:
    """A JSON column's value (None stays None)."""
    return None if text is None else json.loads(text)


def ref_of(row: sqlite3.Row, flavor: Flavor) -> CheckpointRef:
    """The reference of a checkpoint row, written in the given flavor."""
    return CheckpointRef(row["run_id"], CheckpointKind(row["kind"]), row["name"], flavor)


_TINKER_SEGMENT = {kind.value: CheckpointRef("r", kind, "n").segment for kind in CheckpointKind}
_HPCAI_SEGMENT = {
    kind.value: CheckpointRef("r", kind, "n", "hpcai").segment
    for kind in (CheckpointKind.TRAINING, CheckpointKind.SAMPLER)
}


def checkpoint_json(
    row: sqlite3.Row, flavor: Flavor, base_model: str | None = None
) -> dict[str, Any]:
    """One checkpoint as the flavor's SDK expects it (the same strings `CheckpointRef` writes).

    Tinker checkpoints also name their run's `base_model` when it is given (SDK 0.39.0's field).
    """
    run_id, kind, name = row["run_id"], row["kind"], row["name"]
    if flavor == "hpcai":
        return {
            "checkpoint_id": name,
            "checkpoint_type": kind,
            "time": iso(row["time_ms"]),
            "checkpoint_path": f"hpcai://{run_id}/{_HPCAI_SEGMENT[kind]}/{name}",
        }
    checkpoint_id = f"{_TINKER_SEGMENT[kind]}/{name}"
    out = {
        "checkpoint_id": checkpoint_id,
        "checkpoint_type": kind,
        "time": iso(row["time_ms"]),
        "tinker_path": f"tinker://{run_id}/{checkpoint_id}",
        "size_bytes": row["size_bytes"],
        "public": bool(row["public"]),
        "user_metadata": loads(row["user_metadata"]),
        "expires_at": iso(row["expires_ms"]),
    }
    if base_model is not None:
        out["base_model"] = base_model
    return out


def run_json(
    row: sqlite3.Row,
    flavor: Flavor,
    last: sqlite3.Row | None,
    last_sampler: sqlite3.Row | None,
    project_id: str | None = None,
) -> dict[str, Any]:
    """One training run, with its newest training and sampler checkpoints (and, for tinker,
    the project of its session)."""
    base = row["base_model"] if flavor == "tinker" else None
    out: dict[str, Any] = {
        "training_run_id": row["id"],
        "base_model": row["base_model"],
        "model_owner": row["owner"],
        "is_lora": bool(row["is_lora"]),
        "corrupted": bool(row["corrupted"]),
        "lora_rank": row["lora_rank"],
        "last_request_time": iso(row["last_request_ms"]),
        "last_checkpoint": None if last is None else checkpoint_json(last, flavor, base),
        "last_sampler_checkpoint": (
            None if last_sampler is None else checkpoint_json(last_sampler, flavor, base)
        ),
    }
    if flavor == "tinker":
        out["user_metadata"] = loads(row["user_metadata"])
        if project_id is not None:
            out["project_id"] = project_id
    return out
