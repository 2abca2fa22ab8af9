"""Values every wire model reads the same way, whichever library parses it: timestamps that are
always timezone-aware, and counts and sizes that never fail a listing. Nothing here imports
pydantic, so the records the start parses (`structs`) use them as the pydantic models do."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, Literal

CheckpointType = Literal["training", "sampler", "external"]
AccessScope = Literal["owned", "accessible"]
Metadata = dict[str, str]


def ensure_aware(value: datetime) -> datetime:
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
    value = ensure_aware(value)
    if value.utcoffset() == UTC.utcoffset(None):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def count_or_none(value: Any) -> int | None:
    """A count or size as a server may send it: an int, an integral float (`1e30`), digits.
    Negative, fractional-looking junk, NaN, infinities and other types mean "unknown"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str) and (digits := value.strip()).isascii() and digits.isdigit():
        return int(digits)  # ASCII: "²" is a digit to `isdigit`, not to `int`
    return None


def count_or_zero(value: Any) -> int:
    """`count_or_none`, with 0 for what cannot be a count."""
    return count_or_none(value) or 0
