"""Short human forms of sizes and times, relative to the store's (injectable) clock."""

from __future__ import annotations

from datetime import UTC, datetime

import humanize


def size(size_bytes: int | None) -> str:
    """`1.2 GB`; unknown sizes show as `?`."""
    if size_bytes is None:
        return "?"
    return str(humanize.naturalsize(size_bytes, format="%.1f"))


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for limit, unit, label in (
        (60, 1, "s"),
        (3600, 60, "m"),
        (86400, 3600, "h"),
        (86400 * 45, 86400, "d"),
        (86400 * 365, 86400 * 30, "mo"),
    ):
        if seconds < limit:
            return f"{int(seconds // unit)}{label}"
    return f"{seconds / (86400 * 365):.1f}y".replace(".0y", "y")


def ago(when: datetime | None, now: datetime) -> str:
    """`3m ago`, `in 2d` (for the future), `-` when unknown."""
    if when is None:
        return "-"
    delta = (now - when).total_seconds()
    if -1 <= delta < 1:
        return "now"
    return f"{_span(delta)} ago" if delta > 0 else f"in {_span(delta)}"


def expires(when: datetime | None, now: datetime) -> str:
    """`in 6d`, `never`, or `expired`."""
    if when is None:
        return "never"
    if when <= now:
        return "expired"
    return f"in {_span((when - now).total_seconds())}"


def long_time(when: datetime | None, now: datetime) -> str:
    """`2026-11-20 14:03 UTC (3 days ago)` for the detail panel."""
    if when is None:
        return "-"
    relative = humanize.naturaltime(naive_utc(when), when=naive_utc(now))
    return f"{when.strftime('%Y-%m-%d %H:%M UTC')} ({relative})"


def naive_utc(when: datetime) -> datetime:
    """`when` as a naive UTC datetime, for humanize: given an aware one, humanize goes through
    a Unix timestamp and local time, which overflows for a server's year 1 or 9999."""
    if when.tzinfo is None:
        return when
    try:
        return when.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min if when.year == datetime.min.year else datetime.max


def short_id(text: str, width: int = 12) -> str:
    """Cut a long id in the middle so both ends stay readable."""
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return f"{text[:half]}…{text[-(width - 1 - half) :]}"
