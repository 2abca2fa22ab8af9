"""Human sizes, ages and dates for the modals (humanize, clock passed in), and literal text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import humanize

from lazytinker.ui.format import naive_utc
from lazytinker.ui.text import literal

__all__ = ["expiry_after", "human_age", "human_date", "human_size", "literal"]


def human_size(size_bytes: int | None) -> str:
    """A size like `1.2 GB`, or `unknown` when the server has not computed it yet."""
    if size_bytes is None:
        return "unknown"
    return str(humanize.naturalsize(size_bytes))


def human_age(when: datetime, now: datetime) -> str:
    """How long ago (or from now) `when` is, relative to the injected `now`."""
    return str(humanize.naturaltime(naive_utc(_aware(when)), when=naive_utc(_aware(now))))


def human_date(when: datetime) -> str:
    """An absolute date and time in UTC, e.g. `2026-11-30 08:28 UTC`."""
    return _aware(when).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def expiry_after(now: datetime, seconds: int) -> datetime:
    """The moment a TTL of `seconds` set at `now` runs out."""
    return _aware(now) + timedelta(seconds=seconds)


def _aware(when: datetime) -> datetime:
    # The wire models are tz-aware; a naive clock from a caller is taken as UTC, not local time.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
