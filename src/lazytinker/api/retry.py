"""The client's bounded retry policy: a few quick retries, a few seconds in all, never a 409.

The official SDK retries 409s and 5xxs for about five minutes (protocol.md §1.7); a browser must
answer in seconds instead, and a conflict is an answer, not a hiccup.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the client retries a transient failure.

    `sleep` is injectable so tests can see the delays the policy chose without timing anything.
    """

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 2.0
    retry_after_cap: float = 5.0
    budget: float = 8.0
    jitter: float = 0.25
    sleep: Sleep = field(default=asyncio.sleep, repr=False, compare=False)

    def backoff(self, attempt: int) -> float:
        """The delay before retry number `attempt` (1-based) when the server gave no hint."""
        delay = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        return float(delay * (1 - self.jitter * random.random()))

    def delay_for(self, attempt: int, retry_after: float | None) -> float:
        """The server's `Retry-After` (capped) when it gave one, else exponential backoff."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.retry_after_cap)
        return self.backoff(attempt)


NO_RETRY = RetryPolicy(max_attempts=1)
"""A policy that never retries (for callers that run their own loop)."""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header: a number of seconds or an HTTP date; None if absent."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)
