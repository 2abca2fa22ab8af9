"""The words of a download: what is fetched (`Target`), how it goes (`Progress`, `RateMeter`),
how hard to try (`Limits`) and how it fails (`DownloadError`). `stream` moves the bytes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from lazytinker.api.errors import LazytinkerError

Phase = Literal[
    "resolving", "exporting", "building", "downloading", "verifying", "extracting", "done"
]


class DownloadError(LazytinkerError):
    """A download that could not complete; nothing exists under the final name."""


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress event: bytes so far, the total when known, rate and ETA, and the phase."""

    phase: Phase
    done: int = 0
    total: int | None = None
    rate: float = 0.0
    eta: float | None = None
    file: str | None = None
    retry_after: float | None = None
    # What the server is doing meanwhile (the export flow's steps), for a person to read.
    detail: str | None = None

    @property
    def fraction(self) -> float | None:
        """How much is done, between 0 and 1, when the total is known."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class Target:
    """Where the bytes are: a URL, the headers it needs, and whether a refusal means "re-sign"."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    # A signed URL that answers 401/403/410 has expired: ask for a new one. An authenticated API
    # URL that answers 403 means "not permitted", which no amount of re-signing fixes.
    resignable: bool = True


Resolver = Callable[[], Awaitable[Target]]


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard to try: attempts after a cut, re-signs, restarts from zero (a server whose
    answers do not continue the part), how long to wait for a build, and what to leave free."""

    max_failures: int = 6
    max_resigns: int = 4
    max_restarts: int = 4
    max_build_wait: float = 1800.0
    backoff: float = 0.5
    # Bytes left free on the disk; None: 1% of the file system, at most 1 GiB.
    disk_reserve: int | None = None


DEFAULT_LIMITS = Limits()


class RateMeter:
    """Bytes per second over the last few seconds, and the ETA it implies."""

    def __init__(self, window: float = 3.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, done: int) -> float:
        """Record that `done` bytes are complete; returns the current rate."""
        now = self._clock()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window:
            self._samples.popleft()
        return self.rate

    @property
    def rate(self) -> float:
        """The rate over the window, in bytes per second (0 until two samples exist)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0

    def eta(self, done: int, total: int | None) -> float | None:
        """Seconds left at the current rate, when the total is known and the rate is not zero."""
        rate = self.rate
        if total is None or rate <= 0:
            return None
        return max(0.0, (total - done) / rate)
