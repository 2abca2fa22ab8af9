"""Pydantic v2 models for every JSON shape of the Tinker REST protocol (protocol.md §3, §9).

The stand-in server and the client share these models, so a field cannot drift between them.
Unknown fields are ignored; datetimes are always timezone-aware (a naive value from a server is
taken as UTC, and every datetime we emit carries `Z`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)


def _ensure_aware(value: datetime) -> datetime:
    """Naive datetimes are UTC by the protocol's convention; keep every value comparable."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def format_rfc3339(value: datetime) -> str:
    """Render a datetime as RFC 3339 with a `Z` suffix for UTC, as the production service does."""
    value = _ensure_aware(value)
    if value.utcoffset() == UTC.utcoffset(None):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


Timestamp = Annotated[
    datetime,
    AfterValidator(_ensure_aware),
    PlainSerializer(format_rfc3339, return_type=str, when_used="json"),
]
"""A timezone-aware datetime that serialises as RFC 3339 (`...Z`)."""

CheckpointType = Literal["training", "sampler", "external"]
AccessScope = Literal["owned", "accessible"]
Metadata = dict[str, str]


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are ignored, as the official SDK does.

    Validators are built on first use (`defer_build`): the app parses a handful of these
    before its first frame, and building all of them at import cost ~30 ms of start-up.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


def build_models() -> None:
    """Build every wire model's validator now and stop deferring: the server does this before
    FastAPI wraps the models in its own adapters, which would otherwise inherit the deferral
    and warn on every request body."""
    pending: list[type[BaseModel]] = [WireModel]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        cls.model_config["defer_build"] = False
        if cls is not WireModel:
            cls.model_rebuild()


class ErrorBody(WireModel):
    """The conventional error body, `{"detail": "..."}` (FastAPI style)."""

    detail: Any = None


class Cursor(WireModel):
    """Offset pagination state returned with paged listings."""

    offset: int
    limit: int
    total_count: int


class Checkpoint(WireModel):
    """One saved checkpoint. Tinker sends `tinker_path`; the HPC-AI fork sends `checkpoint_path`."""

    checkpoint_id: str
    checkpoint_type: CheckpointType
    time: Timestamp
    tinker_path: str | None = None
    checkpoint_path: str | None = None
    size_bytes: int | None = None
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


class GetSessionResponse(WireModel):
    """One session: its runs and samplers."""

    training_run_ids: list[str]
    sampler_ids: list[str]
    user_metadata: Metadata | None = None
    display_name: str | None = None


class ListSessionsResponse(WireModel):
    """Session ids only; no cursor."""

    sessions: list[str]


class GetSamplerResponse(WireModel):
    """One sampler."""

    sampler_id: str
    base_model: str
    model_path: str | None = None


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


class ApiKeyOrgDetails(WireModel):
    """The organisation an API key belongs to."""

    name: str


class ApiKeyUserDetails(WireModel):
    """The user an API key was made for."""

    email: str


class ApiKeyDetails(WireModel):
    """Who an API key belongs to."""

    org_details: ApiKeyOrgDetails
    user_details: ApiKeyUserDetails


class ApiKeyMeResponse(WireModel):
    """`GET /api/v1/auth/apikey/me`: the presented key's public metadata (no JWT needed)."""

    key_id: int
    name: str
    note: str
    details: ApiKeyDetails


class TtlRequest(WireModel):
    """Body of `PUT …/ttl`; `null` removes the expiry and must be sent explicitly."""

    ttl_seconds: int | None


class SupportedModel(WireModel):
    """A base model the caller can use."""

    model_name: str | None = None
    max_context_length: int | None = None
    trainable: bool | None = None
    sampleable: bool | None = None


class GetServerCapabilitiesResponse(WireModel):
    """The models the caller can use."""

    supported_models: list[SupportedModel]


class HealthResponse(WireModel):
    """`GET /api/v1/healthz`."""

    status: Literal["ok"]


class ClientConfigRequest(WireModel):
    """Body of the start-up calls `client/config` and `client/dynamic_config`."""

    sdk_version: str


class ClientConfigResponse(WireModel):
    """Start-up configuration; every field is optional."""

    pjwt_auth_enabled: bool = False
    credential_default_source: str = "api_key"
    use_pyqwest_transport: bool = True
    billing_exception_max_pause_duration_sec: int = 3600


class DynamicConfigResponse(WireModel):
    """Dynamic configuration; every field is optional."""

    refresh_interval_sec: int = 300
    sample_cancel_enabled: bool = False
    sample_cancel_max_batch_size: int = 64


class AuthTokenResponse(WireModel):
    """The JWT returned by `POST /api/v1/auth/token`."""

    jwt: str


class Whoami(WireModel):
    """Who the caller is, decoded from the JWT's claims (no request is made)."""

    user_urn: str
    org_urn: str
    email: str | None = None


class TelemetryResponse(WireModel):
    """Reply to `POST /api/v1/telemetry`."""

    status: str = "accepted"


# --- session search ------------------------------------------------------------------------


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
    checkpoint_storage_bytes: int | None = None


class SessionSearchResponse(WireModel):
    """A page of session search, newest first."""

    sessions: list[SessionSummary]
    next_cursor: SessionSearchCursor | None = None


class ProjectAssignment(WireModel):
    """Body of `PUT /api/v1/sessions/{id}/project`."""

    project_id: str


class TraceExportResponse(WireModel):
    """State of a session's trace export job."""

    status: Literal["pending", "ready", "failed"]
    url: str | None = None
    error: str | None = None


# --- billing, storage, audit -----------------------------------------------------------------


class TrainingEventInfo(WireModel):
    """Tokens trained."""

    type: Literal["training"] = "training"
    token_count: int


class SamplingPrefillEventInfo(WireModel):
    """Prompt tokens sampled."""

    type: Literal["sampling_prefill"] = "sampling_prefill"
    cached: bool = False
    token_count: int


class SamplingSampleEventInfo(WireModel):
    """Tokens generated."""

    type: Literal["sampling_sample"] = "sampling_sample"
    token_count: int


class CheckpointEventInfo(WireModel):
    """Checkpoints saved."""

    type: Literal["checkpoint"] = "checkpoint"
    count: int


class StorageEventInfo(WireModel):
    """Checkpoint storage used."""

    type: Literal["storage"] = "storage"
    free: bool = False
    gigabyte_hours: float


EventInfo = Annotated[
    TrainingEventInfo
    | SamplingPrefillEventInfo
    | SamplingSampleEventInfo
    | CheckpointEventInfo
    | StorageEventInfo,
    Field(discriminator="type"),
]


class BillingUsageEvent(WireModel):
    """One hourly usage row."""

    bucket_start: Timestamp
    bucket_end: Timestamp
    base_model: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    session_id: str | None = None
    project_id: str | None = None
    estimated_cost_usd: float | None = None
    effective_rate_usd_per_million_tokens: float | None = None
    effective_rate_usd_per_gigabyte_month: float | None = None
    event_info: EventInfo


class BillingSessionInfo(WireModel):
    """Metadata of a session named in billing rows."""

    user_metadata: Metadata | None = None


class BillingUsageResponse(WireModel):
    """Usage rows of a time window."""

    data: list[BillingUsageEvent]
    sessions: dict[str, BillingSessionInfo] = Field(default_factory=dict)
    cost_data_through: Timestamp | None = None


class CheckpointStorageItem(WireModel):
    """Storage used by one project and owner."""

    project_id: str | None = None
    org_user_urn: str | None = None
    user_email: str | None = None
    user_name: str | None = None
    checkpoint_count: int
    size_bytes: int
    size_gigabytes: float
    estimated_monthly_cost_usd: float | None = None


class CurrentCheckpointStorageUsageResponse(WireModel):
    """Current checkpoint storage, grouped by project and owner."""

    effective_rate_usd_per_gigabyte_month: float | None = None
    data: list[CheckpointStorageItem]


class AuditLogEntry(WireModel):
    """One audit event."""

    timestamp: Timestamp
    event: str
    event_details: dict[str, Any] = Field(default_factory=dict)
    model_id: str | None = None
    tinker_path: str | None = None
    purpose: str | None = None


class AuditLogResponse(WireModel):
    """A day of audit events."""

    entries: list[AuditLogEntry]
