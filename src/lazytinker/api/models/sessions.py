"""Session search: its filters, statuses and answers. Lookups of one session or sampler, project
assignment and trace export are in `session_details`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lazytinker.api.models.base import ByteCount, Metadata, Timestamp, WireModel


class OwnOwner(WireModel):
    """Sessions the caller owns."""

    type: Literal["own"] = "own"


class AccessibleOwner(WireModel):
    """Sessions the caller can see."""

    type: Literal["accessible"] = "accessible"


class UserOwner(WireModel):
    """Sessions owned by the named users."""

    type: Literal["user"] = "user"
    owner_urns: list[str] = Field(min_length=1, max_length=10)


Owner = Annotated[OwnOwner | AccessibleOwner | UserOwner, Field(discriminator="type")]

FinishReasonType = Literal["success", "errored", "interrupted"]


class ActiveStatusQuery(WireModel):
    """Match running sessions."""

    type: Literal["active"] = "active"


class CancelledStatusQuery(WireModel):
    """Match cancelled sessions."""

    type: Literal["cancelled"] = "cancelled"


class FailedStatusQuery(WireModel):
    """Match failed sessions."""

    type: Literal["failed"] = "failed"


class ClientFinishedStatusQuery(WireModel):
    """Match sessions the client finished, optionally only for some reasons."""

    type: Literal["client_finished"] = "client_finished"
    reasons: list[FinishReasonType] | None = None


StatusQuery = Annotated[
    ActiveStatusQuery | CancelledStatusQuery | FailedStatusQuery | ClientFinishedStatusQuery,
    Field(discriminator="type"),
]


class SessionSearchCursor(WireModel):
    """Keyset cursor of session search; echoed back unchanged."""

    last_created_at: Timestamp
    last_session_id: str


class SessionSearchRequest(WireModel):
    """Body of `POST /api/v1/sessions/search`."""

    session_id: str | None = None
    project_ids: list[str] | None = None
    user_metadata: Metadata = Field(default_factory=dict)
    display_name: str | None = Field(default=None, min_length=1)
    owner: Owner = Field(default_factory=OwnOwner)
    statuses: list[StatusQuery] | None = Field(default=None, min_length=1)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: SessionSearchCursor | None = None


class ActiveStatus(WireModel):
    """The session is running."""

    type: Literal["active"] = "active"


class CancelledStatus(WireModel):
    """The session was cancelled."""

    type: Literal["cancelled"] = "cancelled"
    detail: str | None = None


class FinishReason(WireModel):
    """Why a client finished its session."""

    type: FinishReasonType


class ClientFinishedStatus(WireModel):
    """The client finished the session."""

    type: Literal["client_finished"] = "client_finished"
    reason: FinishReason
    detail: str | None = None


class RequestFailure(WireModel):
    """A failure caused by one request."""

    type: Literal["request"] = "request"
    request_id: str
    request_type: str


class TrainingRunFailure(WireModel):
    """A failure caused by a training run."""

    type: Literal["training_run"] = "training_run"
    training_run_id: str


class SamplingSessionFailure(WireModel):
    """A failure caused by a sampling session."""

    type: Literal["sampling_session"] = "sampling_session"
    sampling_session_id: str


FailureReason = Annotated[
    RequestFailure | TrainingRunFailure | SamplingSessionFailure, Field(discriminator="type")
]


class FailedStatus(WireModel):
    """The session failed."""

    type: Literal["failed"] = "failed"
    category: Literal["user", "internal"]
    message: str
    reason: FailureReason


SessionStatus = Annotated[
    ActiveStatus | CancelledStatus | ClientFinishedStatus | FailedStatus,
    Field(discriminator="type"),
]


class SessionSummary(WireModel):
    """One session as session search describes it."""

    session_id: str
    created_at: Timestamp
    owner: str
    project_id: str
    checkpoints_count: int
    status: SessionStatus | None = None
    display_name: str | None = None
    user_metadata: Metadata | None = None
    checkpoint_storage_bytes: ByteCount = None


class SessionSearchResponse(WireModel):
    """A page of session search, newest first."""

    sessions: list[SessionSummary]
    next_cursor: SessionSearchCursor | None = None
