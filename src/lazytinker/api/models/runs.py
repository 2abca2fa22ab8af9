"""Training runs and their checkpoints (protocol.md §3): the listings. What is sent and answered to
act on one checkpoint is in `checkpoint_calls`."""

from __future__ import annotations

from pydantic import model_validator

from lazytinker.api.models.base import (
    ByteCount,
    CheckpointType,
    Cursor,
    Metadata,
    Timestamp,
    WireModel,
)


class Checkpoint(WireModel):
    """One saved checkpoint. Tinker sends `tinker_path`; the HPC-AI fork sends `checkpoint_path`."""

    checkpoint_id: str
    checkpoint_type: CheckpointType
    # Required by the SDK, but some servers send `null` (protocol.md §12): unknown, shown "—".
    time: Timestamp | None = None
    tinker_path: str | None = None
    checkpoint_path: str | None = None
    size_bytes: ByteCount = None
    public: bool = False
    user_metadata: Metadata | None = None
    expires_at: Timestamp | None = None
    # Newer than SDK 0.38.0 (0.39.0 docs); servers that know it send it.
    base_model: str | None = None

    @model_validator(mode="after")
    def _has_a_path(self) -> Checkpoint:
        if not self.tinker_path and not self.checkpoint_path:
            raise ValueError("tinker_path or checkpoint_path is required")
        return self

    @property
    def path(self) -> str:
        """The checkpoint's canonical path, `tinker://…` or `hpcai://…`."""
        return self.tinker_path or self.checkpoint_path or ""


class CheckpointsListResponse(WireModel):
    """A run's checkpoints (no cursor) or a page of the user's checkpoints (with a cursor)."""

    checkpoints: list[Checkpoint]
    cursor: Cursor | None = None


class TrainingRun(WireModel):
    """A training run, `{session_id}:train:{n}` in production."""

    training_run_id: str
    base_model: str
    model_owner: str = ""
    is_lora: bool = False
    corrupted: bool = False
    lora_rank: int | None = None
    last_request_time: Timestamp
    last_checkpoint: Checkpoint | None = None
    last_sampler_checkpoint: Checkpoint | None = None
    user_metadata: Metadata | None = None
    # The project of the run's session (not in SDK 0.38.0's model; the stand-in sends it).
    project_id: str | None = None


class TrainingRunsResponse(WireModel):
    """A page of training runs."""

    training_runs: list[TrainingRun]
    cursor: Cursor
