"""Sizes, ages and dates for the modals (the same forms as the tables: `lazytinker.human`, the
clock passed in), and literal text."""

from __future__ import annotations

from datetime import datetime, timedelta

from lazytinker import human
from lazytinker.ui.text import literal

__all__ = ["expiry_after", "human_age", "human_date", "human_size", "literal"]


def human_size(size_bytes: int | None) -> str:
    """A size like `1.2 GB`, or `unknown` when the server has not computed it yet."""
    return human.size(size_bytes, unknown="unknown")


def human_age(when: datetime, now: datetime) -> str:
    """How long ago (or from now) `when` is, relative to the injected `now` (`3h ago`, `in 7d`),
    as the tables say it."""
    if human.aware(when) > human.aware(now) + timedelta(seconds=human.SKEW):
        return human.expires(when, now)
    return human.ago(when, now)


def human_date(when: datetime) -> str:
    """An absolute date and time in UTC, e.g. `2026-11-30 08:28 UTC`."""
    return human.date(when)


def expiry_after(now: datetime, seconds: int) -> datetime:
    """The moment a TTL of `seconds` set at `now` runs out."""
    return human.aware(now) + timedelta(seconds=seconds)
