"""Billing usage, checkpoint storage and the audit log (admin-role endpoints)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from lazytinker.api.models.base import Timestamp, WireModel
from lazytinker.api.models.values import Metadata


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
