"""Short human forms of sizes and times for the tables and panels, relative to the moment the
screen shows (`Store.moment`), and ids cut to fit. The forms themselves are `lazytinker.human`'s,
shared with the command line: one size unit (decimal) and one way to say a time everywhere.

What the server did not say (a field missing or null: time, size, name, owner) shows as
`UNKNOWN`, never as a made-up value; sums over sizes some of which are unknown say so
(`total_size`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from lazytinker import human

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint

UNKNOWN = "—"
"""How a value the server did not give is shown."""

expires = human.expires
count = human.count


def size(size_bytes: float | None) -> str:
    """`1.2 GB`; unknown sizes show as `—`."""
    return human.size(size_bytes, unknown=UNKNOWN)


def ago(when: datetime | None, now: datetime) -> str:
    """`3m ago`, `in 2d` (for the future), `—` when unknown."""
    return UNKNOWN if when is None else human.ago(when, now)


def total_size(sizes: Iterable[int | None]) -> str:
    """The sum of sizes, honest about the unknown ones: `1.2 GB`, `at least 1.2 GB` when some
    are unknown, `unknown` when all are (never a false total)."""
    total, unknown, number = 0, 0, 0
    for value in sizes:
        number += 1
        if value is None:
            unknown += 1
        else:
            total += value
    if number and unknown == number:
        return "unknown"
    return f"at least {size(total)}" if unknown else size(total)


def sent(checkpoint: Checkpoint, field: str) -> bool:
    """Whether the server sent `field` of `checkpoint` at all (a default is not an answer)."""
    return checkpoint.sent(field)


def long_time(when: datetime | None, now: datetime, *, future: bool = False) -> str:
    """`2026-11-20 14:03 UTC (3h ago)` for the detail panel (`future`: `(in 7d)`); `—` when
    unknown."""
    return UNKNOWN if when is None else human.moment(when, now, future=future)


def short_id(text: str, width: int = 12) -> str:
    """Cut a long id in the middle so both ends stay readable."""
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return f"{text[:half]}…{text[-(width - 1 - half) :]}"
