"""What is sent and answered to act on one checkpoint (protocol.md §3): weights info, signed URLs,
copies, TTL. Apart from `runs`, whose listings the start-up parses: these are built on first use."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lazytinker.api.models.base import Timestamp, WireModel


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
