"""How many calls a bulk action keeps in flight: up to 32, halved when the server says 429.

AIMD, as TCP paces itself: every success widens the window by one call per window's worth of
successes (additive increase); a 429 halves it, at most once per `COOL_DOWN` so that one burst
of 429s (all the calls in flight answered at once) counts once (multiplicative decrease). A
`Retry-After` holds back every new call until it has passed. The clock is injectable, so tests
see the window without timing anything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

MAX_IN_FLIGHT = 32
"""The official CLI's `tinker checkpoint delete` runs 32 deletes at once."""
COOL_DOWN = 1.0
"""Seconds after a cut during which another 429 does not cut again (it was in flight already)."""
MAX_RETRY_AFTER = 60.0
"""A longer `Retry-After` is taken as this (a server's typo must not stall a clean-up for hours)."""


class Throttle:
    """The window of calls in flight (AIMD), and the moment new calls may start again."""

    def __init__(
        self, limit: int = MAX_IN_FLIGHT, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = max(1, limit)
        self.window = float(self.limit)
        self.lowest = self.limit
        """The narrowest the window has been (a test's and a summary's "it slowed down")."""
        self.cuts = 0
        """How many times a 429 narrowed the window."""
        self.in_flight = 0
        self.resume_at = 0.0
        self._clock = clock
        self._last_cut = float("-inf")
        self._changed = asyncio.Event()

    @property
    def allowed(self) -> int:
        """Calls that may be in flight now."""
        return max(1, int(self.window))

    def throttled(self, retry_after: float | None) -> None:
        """The server answered 429: halve the window (once per burst), wait `retry_after`."""
        now = self._clock()
        if now - self._last_cut >= COOL_DOWN:
            self._last_cut = now
            self.window = max(1.0, self.window / 2)
            self.lowest = min(self.lowest, self.allowed)
            self.cuts += 1
        if retry_after is not None and retry_after > 0:
            self.resume_at = max(self.resume_at, now + min(retry_after, MAX_RETRY_AFTER))

    def succeeded(self) -> None:
        """A call went through: widen the window by 1/window (one call per window)."""
        self.window = min(float(self.limit), self.window + 1.0 / self.window)

    async def acquire(self) -> None:
        """Wait until a call may start (room in the window, past any `Retry-After`)."""
        while True:
            wait = self.resume_at - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if self.in_flight < self.allowed:
                self.in_flight += 1
                return
            self._changed.clear()
            await self._changed.wait()

    def release(self) -> None:
        """A call ended: let a waiting one start."""
        self.in_flight = max(0, self.in_flight - 1)
        self._changed.set()
