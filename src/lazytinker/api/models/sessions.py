"""Session search: its filters, statuses and answers, as msgspec records (`structs`: the start
parses them). Lookups of one session or sampler, project assignment and trace export are in
`session_details`.

Each kind of owner, status and failure is told by its `type` (msgspec's tag, `TaggedStruct`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from lazytinker.api.models.structs import SizeField, TaggedStruct, WireStruct
from lazytinker.api.models.values import Metadata, count_or_none, ensure_aware

FinishReasonType = Literal["success", "errored", "interrupted"]


class OwnOwner(TaggedStruct, tag="own"):
    """Sessions the caller owns."""


class AccessibleOwner(TaggedStruct, tag="accessible"):
    """Sessions the caller can see."""


class UserOwner(TaggedStruct, tag="user"):
    """Sessions owned by the named users."""

    owner_urns: Annotated[list[str], msgspec.Meta(min_length=1, max_length=10)]


Owner = OwnOwner | AccessibleOwner | UserOwner


class ActiveStatusQuery(TaggedStruct, tag="active"):
    """Match running sessions."""


class CancelledStatusQuery(TaggedStruct, tag="cancelled"):
    """Match cancelled sessions."""


class FailedStatusQuery(TaggedStruct, tag="failed"):
    """Match failed sessions."""


class ClientFinishedStatusQuery(TaggedStruct, tag="client_finished"):
    """Match sessions the client finished, optionally only for some reasons."""

    reasons: list[FinishReasonType] | None = None


StatusQuery = (
    ActiveStatusQuery | CancelledStatusQuery | FailedStatusQuery | ClientFinishedStatusQuery
)


class SessionSearchCursor(WireStruct):
    """Keyset cursor of session search; echoed back unchanged."""

    last_created_at: datetime
    last_session_id: str

    def __post_init__(self) -> None:
        self.last_created_at = ensure_aware(self.last_created_at)


class SessionSearchRequest(WireStruct):
    """Body of `POST /api/v1/sessions/search`."""

    session_id: str | None = None
    project_ids: list[str] | None = None
    user_metadata: Metadata = msgspec.field(default_factory=dict)
    display_name: Annotated[str, msgspec.Meta(min_length=1)] | None = None
    owner: Owner = msgspec.field(default_factory=OwnOwner)
    statuses: Annotated[list[StatusQuery], msgspec.Meta(min_length=1)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = 50
    cursor: SessionSearchCursor | None = None


class ActiveStatus(TaggedStruct, tag="active"):
    """The session is running."""


class CancelledStatus(TaggedStruct, tag="cancelled"):
    """The session was cancelled."""

    detail: str | None = None


class FinishReason(WireStruct):
    """Why a client finished its session."""

    type: FinishReasonType


class ClientFinishedStatus(TaggedStruct, tag="client_finished"):
    """The client finished the session."""

    reason: FinishReason
    detail: str | None = None


class RequestFailure(TaggedStruct, tag="request"):
    """A failure caused by one request."""

    request_id: str
    request_type: str


class TrainingRunFailure(TaggedStruct, tag="training_run"):
    """A failure caused by a training run."""

    training_run_id: str


class SamplingSessionFailure(TaggedStruct, tag="sampling_session"):
    """A failure caused by a sampling session."""

    sampling_session_id: str


FailureReason = RequestFailure | TrainingRunFailure | SamplingSessionFailure


class FailedStatus(TaggedStruct, tag="failed"):
    """The session failed."""

    category: Literal["user", "internal"]
    message: str
    reason: FailureReason


SessionStatus = ActiveStatus | CancelledStatus | ClientFinishedStatus | FailedStatus


class SessionSummary(WireStruct):
    """One session as session search describes it."""

    session_id: str
    created_at: datetime
    owner: str
    project_id: str
    checkpoints_count: int
    status: SessionStatus | None = None
    display_name: str | None = None
    user_metadata: Metadata | None = None
    checkpoint_storage_bytes: SizeField = None

    def __post_init__(self) -> None:
        self.created_at = ensure_aware(self.created_at)
        self.checkpoint_storage_bytes = count_or_none(self.checkpoint_storage_bytes)


class SessionSearchResponse(WireStruct):
    """A page of session search, newest first."""

    sessions: list[SessionSummary]
    next_cursor: SessionSearchCursor | None = None
