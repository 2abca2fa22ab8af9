"""Checkpoints about to expire: how many go within a day (the header says so), and a notice when
a checkpoint the store watches comes within a day of expiring.

Only checkpoints with an expiry are kept here (a date per path, from every collection the store
holds), so the count is a pass over those, made when asked and at most once per change of data
or of the minute; the notice is decided after each refresh (`clock`), for the checkpoints that
were further than a day away at the previous one, so a start-up never floods the screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lazytinker.store.keyed import Change
from lazytinker.store.state import StoreState

WITHIN = timedelta(days=1)
NAMED = 3
"""Checkpoints a notice names before it counts the rest."""


class Expiring:
    """Expiry dates of the checkpoints the store holds; the count and the notice."""

    def __init__(self, state: StoreState) -> None:
        self.state = state
        self.dates: dict[str, datetime] = {}
        self._far: set[str] | None = None
        """Paths more than a day away at the last refresh (None: no refresh yet)."""
        self._warned: set[str] = set()
        self._count: tuple[object, int] | None = None
        state.subscribe(self._on_change)

    def within_a_day(self) -> int:
        """How many held checkpoints expire within a day from now (already expired: not)."""
        now = self.state.now()
        key = (len(self.dates), id(self.dates), now.replace(second=0, microsecond=0))
        if self._count is not None and self._count[0] == key:
            return self._count[1]
        soon = now + WITHIN
        count = sum(1 for when in self.dates.values() if now < when <= soon)
        self._count = (key, count)
        return count

    def _on_change(self, change: Change) -> None:
        name = change.collection
        if name == "clock":
            self._after_refresh()
            return
        if name != "user_checkpoints" and not name.startswith("checkpoints:"):
            return
        keyed = self.state.collection(name)
        for key in change.removed:
            if self.state.find_checkpoint(key) is None:
                self.dates.pop(key, None)
        for key in (*change.added, *change.updated):
            item = keyed.get(key) if keyed is not None else None
            when = getattr(item, "expires_at", None)
            if when is None:
                self.dates.pop(key, None)
            else:
                self.dates[key] = when
        self._count = None

    def _after_refresh(self) -> None:
        now = self.state.now()
        soon = now + WITHIN
        far = {path for path, when in self.dates.items() if when > soon}
        if self._far is not None:
            came = sorted(
                path
                for path, when in self.dates.items()
                if now < when <= soon and path in self._far and path not in self._warned
            )
            if came:
                self._warned.update(came)
                names = ", ".join(came[:NAMED])
                more = f" (+{len(came) - NAMED} more)" if len(came) > NAMED else ""
                first = self.dates[came[0]] - now
                hours = max(1, round(first.total_seconds() / 3600))
                self.state.notify(
                    f"Expiring within a day: {names}{more} (the first in ~{hours}h; K keeps)",
                    "warning",
                )
        self._far = far
