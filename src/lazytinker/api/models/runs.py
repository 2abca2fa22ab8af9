"""Training runs and their checkpoints (protocol.md §3): the listings, msgspec records
(`structs`: the start parses them). What is sent and answered to act on one checkpoint is in
`checkpoint_calls`."""

from __future__ import annotations

from datetime import datetime

from lazytinker.api.models.structs import NOT_SENT, CountField, SizeField, WireStruct
from lazytinker.api.models.values import (
    CheckpointType,
    Metadata,
    count_or_none,
    count_or_zero,
    ensure_aware,
)

SENT_OR_NOT = {"public": False, "expires_at": None}
"""Checkpoint fields whose absence means "unknown" (shown "—"), not their default."""


class Cursor(WireStruct):
    """Offset pagination state returned with paged listings; what cannot be a count is 0."""

    offset: CountField
    limit: CountField
    total_count: CountField

    def __post_init__(self) -> None:
        self.offset = count_or_zero(self.offset)
        self.limit = count_or_zero(self.limit)
        self.total_count = count_or_zero(self.total_count)


class Checkpoint(WireStruct, dict=True):
    """One saved checkpoint. Tinker sends `tinker_path`; the HPC-AI fork sends `checkpoint_path`."""

    checkpoint_id: str
    checkpoint_type: CheckpointType
    # Required by the SDK, but some servers send `null` (protocol.md §12): unknown, shown "—".
    time: datetime | None = None
    tinker_path: str | None = None
    checkpoint_path: str | None = None
    size_bytes: SizeField = None
    public: bool = NOT_SENT
    user_metadata: Metadata | None = None
    expires_at: datetime | None = NOT_SENT
    # Newer than SDK 0.38.0 (0.39.0 docs); servers that know it send it.
    base_model: str | None = None

    def __post_init__(self) -> None:
        if not self.tinker_path and not self.checkpoint_path:
            raise ValueError("tinker_path or checkpoint_path is required")
        if self.time is not None:
            self.time = ensure_aware(self.time)
        if self.expires_at is not None and self.expires_at is not NOT_SENT:
            self.expires_at = ensure_aware(self.expires_at)
        self.size_bytes = count_or_none(self.size_bytes)
        unsent = [name for name in SENT_OR_NOT if getattr(self, name) is NOT_SENT]
        if unsent:
            self.unsent = frozenset(unsent)
            for name in unsent:
                setattr(self, name, SENT_OR_NOT[name])

    @property
    def path(self) -> str:
        """The checkpoint's canonical path, `tinker://…` or `hpcai://…`."""
        return self.tinker_path or self.checkpoint_path or ""

    def sent(self, field: str) -> bool:
        """Whether the server sent `field` at all (a default is not an answer)."""
        return field not in getattr(self, "unsent", ())


class CheckpointsListResponse(WireStruct):
    """A run's checkpoints (no cursor) or a page of the user's checkpoints (with a cursor)."""

    checkpoints: list[Checkpoint]
    cursor: Cursor | None = None


class TrainingRun(WireStruct, kw_only=True):
    """A training run, `{session_id}:train:{n}` in production."""

    training_run_id: str
    base_model: str
    model_owner: str = ""
    is_lora: bool = False
    corrupted: bool = False
    lora_rank: int | None = None
    last_request_time: datetime
    last_checkpoint: Checkpoint | None = None
    last_sampler_checkpoint: Checkpoint | None = None
    user_metadata: Metadata | None = None
    # The project of the run's session (not in SDK 0.38.0's model; the stand-in sends it).
    project_id: str | None = None

    def __post_init__(self) -> None:
        self.last_request_time = ensure_aware(self.last_request_time)


class TrainingRunsResponse(WireStruct):
    """A page of training runs."""

    training_runs: list[TrainingRun]
    cursor: Cursor
