"""Parse the TTL a person types (`12h`, `7d`, `1y`, `3600`, `never`) into seconds (protocol.md §7).

No Textual here: the TTL modal uses it for live validation and the store may use it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR
# A year is 365 days: the server's 10-year ceiling must hold whatever year length it assumes.
YEAR = 365 * DAY
MIN_TTL_SECONDS = HOUR
MAX_TTL_SECONDS = 10 * YEAR

_UNITS: dict[str, int] = {
    "s": 1,
    "m": 60,
    "h": HOUR,
    "d": DAY,
    "w": 7 * DAY,
    "y": YEAR,
}
_NEVER = frozenset({"never", "none", "off"})
_DURATION = re.compile(r"(?P<amount>[+-]?\d+)\s*(?P<unit>[a-z]*)")
_UNIT_ALIASES: dict[str, str] = {
    "": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
    "yr": "y",
    "yrs": "y",
    "year": "y",
    "years": "y",
}

VALID_RANGE = "1 hour to 10 years (e.g. 12h, 7d, 90d, 1y, 3600) or 'never'"


class TtlError(ValueError):
    """A TTL that does not parse or is out of range; the message is one line naming the range."""


@dataclass(frozen=True, slots=True)
class TtlChoice:
    """What the TTL modal answers: new lifetime in seconds, or None to remove the expiry."""

    seconds: int | None


def parse_ttl(text: str) -> int | None:
    """Turn typed text into TTL seconds, `None` for `never`; raise `TtlError` on anything else."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise TtlError(f"Enter a TTL: {VALID_RANGE}")
    if cleaned in _NEVER:
        return None
    match = _DURATION.fullmatch(cleaned)
    if match is None:
        raise TtlError(f"{text.strip()!r} is not a duration; use {VALID_RANGE}")
    unit = _UNIT_ALIASES.get(match["unit"], match["unit"])
    if unit not in _UNITS:
        raise TtlError(f"Unknown unit {match['unit']!r}; use {VALID_RANGE}")
    seconds = int(match["amount"]) * _UNITS[unit]
    if not MIN_TTL_SECONDS <= seconds <= MAX_TTL_SECONDS:
        raise TtlError(f"{text.strip()!r} is out of range; a TTL is {VALID_RANGE}")
    return seconds


def describe_ttl(seconds: int | None) -> str:
    """A short human form of a TTL (`7 days`, `never expires`) for confirmations and toasts."""
    if seconds is None:
        return "never expires"
    for size, name in ((YEAR, "year"), (7 * DAY, "week"), (DAY, "day"), (HOUR, "hour")):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {name}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"
