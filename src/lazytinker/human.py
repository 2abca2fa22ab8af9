"""Sizes, spans and moments as people read them: one way, for the app and the command line alike.

Sizes are decimal (SI): 1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes, 1 GB = 10^9 bytes, as the
Tinker API counts them (its `size_gigabytes` and prices per GB). Every screen, modal, toast and
`lazytinker download` line says sizes through `size` and `rate`, so one figure reads the same
everywhere.

Spans are rounded to the nearest whole unit (`3h`, `7d`), not cut down: a 7-day expiry set a
second ago reads `in 7d`, and the same moment reads the same whatever the caller. Moments are
absolute in UTC with the span beside them (`2026-11-20 14:03 UTC (3h ago)`).

No other layer is imported here (an import-linter contract keeps it so): `ui/` and `cli/` both
use it, and it sits below both.
"""

from __future__ import annotations

from datetime import UTC, datetime

_SIZE_UNITS = ("kB", "MB", "GB", "TB", "PB", "EB")
_SPAN_UNITS = (
    (1, "s", 60),
    (60, "m", 60),
    (3600, "h", 24),
    (86400, "d", 45),
    (86400 * 30, "mo", 12),
)
_YEAR = 86400 * 365
SKEW = 60.0
"""Seconds a past moment may seem to lie ahead (clocks differ) and still read `now`."""


def size(size_bytes: float | None, *, unknown: str = "?") -> str:
    """`512 B`, `1.2 kB`, `397.1 MB`, `2.7 GB` (decimal units); `unknown` when not known."""
    if size_bytes is None:
        return unknown
    value = float(size_bytes)
    if abs(value) < 1000:
        return f"{int(value)} B"
    for unit in _SIZE_UNITS:
        value /= 1000
        if abs(round(value, 1)) < 1000 or unit == _SIZE_UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def rate(bytes_per_second: float) -> str:
    """`12.3 MB/s`."""
    return f"{size(bytes_per_second)}/s"


def span(seconds: float) -> str:
    """A length of time in its largest fitting unit, rounded: `45s`, `3m`, `2h`, `7d`, `3mo`,
    `1.5y`."""
    seconds = abs(seconds)
    for unit, label, limit in _SPAN_UNITS:
        count = int(seconds / unit + 0.5)
        if count < limit:
            return f"{count}{label}"
    return f"{seconds / _YEAR:.1f}y".replace(".0y", "y")


def ago(when: datetime | None, now: datetime) -> str:
    """A past moment: `3m ago`, `now` (within a second, or a little ahead: clock skew), `in 2d`
    for a real future; `-` when unknown."""
    if when is None:
        return "-"
    delta = (aware(now) - aware(when)).total_seconds()
    if -SKEW <= delta < 1:
        return "now"
    return f"{span(delta)} ago" if delta > 0 else f"in {span(delta)}"


def expires(when: datetime | None, now: datetime) -> str:
    """An expiry: `in 7d`, `never`, or `expired`."""
    if when is None:
        return "never"
    delta = (aware(when) - aware(now)).total_seconds()
    if delta <= 0:
        return "expired"
    return f"in {span(delta)}"


def date(when: datetime) -> str:
    """`2026-11-20 14:03 UTC`; a server's year 1 or 9999 that UTC cannot hold is shown as sent."""
    try:
        return aware(when).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except OverflowError:
        return when.strftime("%Y-%m-%d %H:%M %z").strip()


def moment(when: datetime | None, now: datetime, *, future: bool = False) -> str:
    """`2026-11-20 14:03 UTC (3h ago)`, or with `future` (an expiry) `… (in 7d)`; `-` when
    unknown."""
    if when is None:
        return "-"
    relative = expires(when, now) if future else ago(when, now)
    return f"{date(when)} ({relative})"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 checkpoint`, `3 checkpoints`, `0 checkpoints`."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def of(done: int, total: int, noun: str) -> str:
    """`3 checkpoints` when all were done, `2 of 3 checkpoints` when some were not."""
    if done == total:
        return count(total, noun)
    return f"{done:,} of {count(total, noun)}"


def aware(when: datetime) -> datetime:
    """The wire models are tz-aware; a naive moment is taken as UTC, never as local time."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
