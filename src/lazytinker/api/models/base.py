"""What every wire model shares: the base class, timestamps, metadata, the page cursor.

Unknown fields are ignored; datetimes are always timezone-aware (a naive value from a server is
taken as UTC, and every datetime we emit carries `Z`).
"""

from __future__ import annotations

import importlib
import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
)


def _ensure_aware(value: datetime) -> datetime:
    """Naive datetimes are UTC by the protocol's convention; keep every value comparable.

    A moment that cannot be told in UTC (year 1 at +14:00, year 9999 at -14:00) becomes the
    first or last moment that can, so showing it in UTC never overflows.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        value.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if value.year == datetime.min.year else datetime.max
        return edge.replace(tzinfo=UTC)
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


def _count_or_none(value: Any) -> int | None:
    """A count or size as a server may send it: an int, an integral float (`1e30`), digits.
    Negative, fractional-looking junk, NaN, infinities and other types mean "unknown"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _count_or_zero(value: Any) -> int:
    return _count_or_none(value) or 0


ByteCount = Annotated[int | None, BeforeValidator(_count_or_none)]
"""A size in bytes that never fails a listing: what cannot be a size is unknown (`None`)."""

Count = Annotated[int, BeforeValidator(_count_or_zero)]
"""A count that never fails a listing: what cannot be a count is 0."""

CheckpointType = Literal["training", "sampler", "external"]
AccessScope = Literal["owned", "accessible"]
Metadata = dict[str, str]

WIRE_AREAS = (
    "runs",
    "checkpoint_calls",
    "service",
    "server_info",
    "sessions",
    "session_details",
    "usage",
)
"""The submodules of `lazytinker.api.models` beside this one, each holding one area's models."""


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
    # The package imports its submodules on first use: every wire model must exist to be built.
    for area in WIRE_AREAS:
        importlib.import_module(f"lazytinker.api.models.{area}")
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

    offset: Count
    limit: Count
    total_count: Count
