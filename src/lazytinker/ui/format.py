"""Short human forms of sizes and times for the tables and panels, relative to the moment the
screen shows (`Store.moment`), and ids cut to fit. The forms themselves are `lazytinker.human`'s,
shared with the command line: one size unit (decimal) and one way to say a time everywhere."""

from __future__ import annotations

from datetime import datetime

from lazytinker import human

size = human.size
ago = human.ago
expires = human.expires
count = human.count


def long_time(when: datetime | None, now: datetime, *, future: bool = False) -> str:
    """`2026-11-20 14:03 UTC (3h ago)` for the detail panel (`future`: `(in 7d)`)."""
    return human.moment(when, now, future=future)


def short_id(text: str, width: int = 12) -> str:
    """Cut a long id in the middle so both ends stay readable."""
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return f"{text[:half]}…{text[-(width - 1 - half) :]}"
