"""What every wire model shares: the base class, timestamps, metadata, the page cursor.

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
    PlainSerializer,
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
