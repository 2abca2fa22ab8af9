"""How long a server takes to answer: the round-trip figure of the about panel."""

from __future__ import annotations

TIMED = 64
"""Answers whose time is kept."""


class RoundTrips:
    """How long the server's answers take, request sent to headers back (the last few)."""

    def __init__(self) -> None:
        self.count = 0
        self._recent: list[float] = []

    def add(self, seconds: float) -> None:
        """One more answer."""
        self.count += 1
        self._recent = [*self._recent[-(TIMED - 1) :], seconds]

    @property
    def fastest(self) -> float | None:
        """The quickest recent answer: the round trip plus the least the server takes."""
        return min(self._recent) if self._recent else None

    @property
    def median(self) -> float | None:
        """The middle of the recent answers."""
        if not self._recent:
            return None
        ordered = sorted(self._recent)
        return ordered[len(ordered) // 2]
