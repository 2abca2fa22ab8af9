"""How many calls a bulk action keeps in flight: up to 32, halved when the server says 429.

As TCP paces itself. A 429 halves the window, at most once per `COOL_DOWN` so that one burst of
429s (every call in flight answered at once) counts once (multiplicative decrease), and a
`Retry-After` holds back every new call until it has passed. Otherwise the window grows while
more calls in flight still come back as fast (TCP Vegas): it starts at `START`, grows by one per
success while the answers take no longer than the fastest seen, then by one per window of
successes, and gives one back per window when calls only queue up. Over a link with 80 ms of
round trip that is 32 in flight; on loopback, where the client's own work is the limit, a few.
The clock is injectable, so tests see the window without timing anything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

MAX_IN_FLIGHT = 32
"""The official CLI's `tinker checkpoint delete` runs 32 deletes at once."""
START = 4
"""Calls in flight at first."""
QUEUED_FEW = 2.0
"""Fewer calls than this waiting in queues (Vegas' alpha), plus `QUEUED_SHARE` of the window:
room for one more in flight."""
QUEUED_MANY = 4.0
"""More than this waiting (Vegas' beta), plus `QUEUED_SHARE` of the window: one fewer."""
QUEUED_SHARE = 0.25
"""A wide window tolerates more calls waiting: over a long link the server queues a few of 32
while still answering more per second than with fewer in flight."""
SMOOTHING = 0.2
"""Weight of the newest answer's time in the running average."""
COOL_DOWN = 1.0
"""Seconds after a cut during which another 429 does not cut again (it was in flight already)."""
MAX_RETRY_AFTER = 60.0
"""A longer `Retry-After` is taken as this (a server's typo must not stall a clean-up for hours)."""


class Throttle:
    """The window of calls in flight (AIMD), and the moment new calls may start again."""

    def __init__(
        self,
        limit: int = MAX_IN_FLIGHT,
        *,
        start: int = START,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = max(1, limit)
        self.window = float(min(self.limit, max(1, start)))
        self.lowest = self.allowed
        self.highest = self.allowed
        """The widest the window has been."""
        self.fastest: float | None = None
        """The quickest answer seen: the round trip with nothing queued."""
        self.typical: float | None = None
        """A running average of the answers' times."""
        self.growing = True
        """Slow start: one more in flight per success, until calls start to queue."""
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
        self.growing = False
        if now - self._last_cut >= COOL_DOWN:
            self._last_cut = now
            self.window = max(1.0, self.window / 2)
            self.lowest = min(self.lowest, self.allowed)
            self.cuts += 1
        if retry_after is not None and retry_after > 0:
            self.resume_at = max(self.resume_at, now + min(retry_after, MAX_RETRY_AFTER))

    def succeeded(self, seconds: float | None = None) -> None:
        """A call went through in `seconds`: widen the window while calls do not queue up
        (without a time: one call per window of successes)."""
        step = 1.0 / self.window
        if seconds is not None and seconds > 0:
            self.fastest = seconds if self.fastest is None else min(self.fastest, seconds)
            typical = self.typical
            self.typical = typical = (
                seconds if typical is None else typical + SMOOTHING * (seconds - typical)
            )
            queued = self.window * (1 - self.fastest / typical)
            slack = QUEUED_SHARE * self.window
            if queued > QUEUED_MANY + slack:
                self.growing = False
                step = -step
            elif queued >= QUEUED_FEW + slack:
                self.growing = False
                step = 0.0
            elif self.growing:
                step = 1.0
        self.window = min(float(self.limit), max(1.0, self.window + step))
        self.highest = max(self.highest, self.allowed)

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
