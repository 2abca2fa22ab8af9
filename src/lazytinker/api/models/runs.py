"""Training runs and their checkpoints (protocol.md §3): listings, weights info, URLs, TTL."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

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
    time: Timestamp
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


class WeightsInfoRequest(WireModel):
    """Body of `POST /api/v1/weights_info`."""

    tinker_path: str


class WeightsInfoResponse(WireModel):
    """What is needed to load a checkpoint's weights."""

    base_model: str
    is_lora: bool
    lora_rank: int | None = None
    train_unembed: bool | None = None
    train_mlp: bool | None = None
    train_attn: bool | None = None
    optimizer_config: dict[str, Any] = Field(default_factory=lambda: {"type": "adamw"})


class ExternalWeightsUrlsResponse(WireModel):
    """Signed, unauthenticated URLs for each file of an external-weights checkpoint."""

    urls: dict[str, str]
    expires: Timestamp


class CheckpointArchiveUrlResponse(WireModel):
    """A signed archive URL: the legacy 200-JSON contract, or built from a 302 `Location`."""

    url: str
    expires: Timestamp


class CopyWeightsResponse(WireModel):
    """Path of a copied checkpoint."""

    tinker_path: str


class CopyWeightsRequest(WireModel):
    """Body of `POST /api/v1/copy_weights`: a destination project, or a session and its slot."""

    source_path: str = Field(max_length=1000)
    destination_project_id: str | None = Field(default=None, max_length=200)
    session_id: str | None = Field(default=None, max_length=200)
    model_seq_id: int | None = Field(default=None, ge=0, le=2**31)
    ttl_seconds: int | None = None


class TtlRequest(WireModel):
    """Body of `PUT …/ttl`; `null` removes the expiry and must be sent explicitly."""

    ttl_seconds: int | None
