"""Wire models of the session, model and future endpoints (protocol.md §5), as tinker 0.38.0 sends
and reads them: what `tinker checkpoint download` needs to export a training checkpoint.

A sessionful client creates a session, loads a checkpoint into a new training run (a future),
asks for the run's info, saves it as external weights (a future), and finishes the session.
Futures are polled with `retrieve_future`, which answers the result, `try_again`, or a failure.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from lazytinker.api.models import WireModel
from lazytinker.api.models.sessions import FinishReasonType

__all__ = [
    "CreateModelRequest",
    "CreateModelResponse",
    "CreateSessionRequest",
    "CreateSessionResponse",
    "FinishSessionRequest",
    "FutureHandle",
    "FutureRetrieveRequest",
    "GetInfoRequest",
    "GetInfoResponse",
    "LoadWeightsRequest",
    "LoadWeightsResponse",
    "LoraConfig",
    "ModelData",
    "RequestFailedResponse",
    "SaveWeightsExternalRequest",
    "SaveWeightsExternalResponse",
    "SessionEndReason",
    "SessionHeartbeatRequest",
    "SessionHeartbeatResponse",
    "TryAgainResponse",
]

# Free-form maps are bounded so a request cannot make the server store megabytes.
AnyMetadata = dict[str, Any]
_MAX_ITEMS = 64


class CreateSessionRequest(WireModel):
    """Body of `POST /api/v1/create_session`."""

    tags: list[str] = Field(max_length=_MAX_ITEMS)
    user_metadata: AnyMetadata | None = Field(default=None, max_length=_MAX_ITEMS)
    sdk_version: str = Field(max_length=100)
    project_id: str | None = Field(default=None, max_length=200)
    display_name: str | None = Field(default=None, max_length=500)
    type: Literal["create_session"] = "create_session"


class CreateSessionResponse(WireModel):
    """The new session's id, with optional messages the SDK logs."""

    type: Literal["create_session"] = "create_session"
    session_id: str
    info_message: str | None = None
    warning_message: str | None = None
    error_message: str | None = None


class SessionHeartbeatRequest(WireModel):
    """Body of `POST /api/v1/session_heartbeat` (every 10 s while a session is open)."""

    session_id: str
    type: Literal["session_heartbeat"] = "session_heartbeat"


class SessionHeartbeatResponse(WireModel):
    """A heartbeat was recorded (a finished session answers 410 instead)."""

    type: Literal["session_heartbeat"] = "session_heartbeat"


class SessionEndReason(WireModel):
    """Why a client finishes its session: `sessions.FinishReason`'s shape, as a pydantic model
    (the server validates this body with pydantic; the start reads the other as a record)."""

    type: FinishReasonType


class FinishSessionRequest(WireModel):
    """Body of `POST /api/v1/sessions/{id}/finish`; the first reason wins."""

    reason: SessionEndReason
    detail: str | None = Field(default=None, max_length=2000)


class LoraConfig(WireModel):
    """LoRA settings of a new training run."""

    rank: int = Field(ge=1, le=1024)
    seed: int | None = None
    train_unembed: bool = True
    train_mlp: bool = True
    train_attn: bool = True


class CreateModelRequest(WireModel):
    """Body of `POST /api/v1/create_model`: a new run `{session_id}:train:{model_seq_id}`."""

    session_id: str
    model_seq_id: int = Field(ge=0)
    base_model: str = Field(max_length=200)
    user_metadata: AnyMetadata | None = Field(default=None, max_length=_MAX_ITEMS)
    lora_config: LoraConfig | None = None
    optimizer_config: dict[str, Any] | None = None
    type: Literal["create_model"] = "create_model"


class LoadWeightsRequest(WireModel):
    """Body of `POST /api/v1/load_weights`.

    Create-via-load names `session_id` + `model_seq_id` (the run is created from the checkpoint);
    the legacy form names an existing `model_id` + `seq_id`.
    """

    model_id: str | None = None
    seq_id: int | None = None
    session_id: str | None = None
    model_seq_id: int | None = Field(default=None, ge=0)
    base_model: str | None = Field(default=None, max_length=200)
    user_metadata: AnyMetadata | None = Field(default=None, max_length=_MAX_ITEMS)
    path: str = Field(max_length=1000)
    optimizer: bool = False
    optimizer_config: dict[str, Any] | None = None
    weights_access_token: str | None = None
    type: Literal["load_weights"] = "load_weights"


class GetInfoRequest(WireModel):
    """Body of `POST /api/v1/get_info`."""

    model_id: str
    type: Literal["get_info"] = "get_info"


class ModelData(WireModel):
    """A training run's model: architecture, name, tokenizer."""

    arch: str | None = None
    model_name: str | None = None
    tokenizer_id: str | None = None


class GetInfoResponse(WireModel):
    """What a `TrainingClient` learns about its run once, when it is created."""

    type: Literal["get_info"] = "get_info"
    model_data: ModelData
    model_id: str
    optimizer_config: dict[str, Any] = Field(default_factory=lambda: {"type": "adamw"})
    is_lora: bool | None = None
    lora_rank: int | None = None
    model_name: str | None = None


class SaveWeightsExternalRequest(WireModel):
    """Body of `POST /api/v1/save_weights_external`: export a run's weights as PEFT files."""

    model_id: str
    path: str = Field(max_length=1000, description="the checkpoint name, not a tinker:// path")
    seq_id: int | None = None
    ttl_seconds: int | None = None
    age_encryption_recipients: list[str] | None = Field(default=None, max_length=10)
    type: Literal["save_weights_external"] = "save_weights_external"


class FutureHandle(WireModel):
    """What every future-returning call answers: the id to poll with `retrieve_future`."""

    request_id: str
    model_id: str | None = None


class FutureRetrieveRequest(WireModel):
    """Body of `POST /api/v1/retrieve_future`."""

    request_id: str
    allow_metadata_only: bool = False


class TryAgainResponse(WireModel):
    """The future is not done yet: poll again (the SDK does so at once)."""

    type: Literal["try_again"] = "try_again"
    request_id: str
    queue_state: Literal["active", "paused_capacity", "paused_rate_limit"] = "active"


class RequestFailedResponse(WireModel):
    """The future's work failed; `category` says whose fault it was."""

    error: str
    category: Literal["unknown", "server", "user"]


class CreateModelResponse(WireModel):
    """Result of a `create_model` future."""

    type: Literal["create_model"] = "create_model"
    model_id: str


class LoadWeightsResponse(WireModel):
    """Result of a `load_weights` future."""

    type: Literal["load_weights"] = "load_weights"
    path: str | None = None
    model_id: str | None = None


class SaveWeightsExternalResponse(WireModel):
    """Result of a `save_weights_external` future: the new `external_weights/` path."""

    type: Literal["save_weights_external"] = "save_weights_external"
    path: str
    size_bytes: int | None = None
