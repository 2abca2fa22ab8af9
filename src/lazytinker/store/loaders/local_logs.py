"""The training box loader: cookbook log folders read in a worker thread, announced by folder.

`local/` does the reading (bounded, incremental: a refresh stats each folder's files and reads
only what was appended); this loader runs it off the event loop, one refresh at a time, puts
the immutable picture in `state.local` and announces `Change("local", added, updated,
removed)` keyed by folder. A large backlog (the first scan of many long runs) arrives over
several refreshes, each announced as it lands.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lazytinker.store.keyed import Change
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.local import LocalLogs

LOCAL = "local"
"""The collection name of the training box's log folders (keys: folder paths)."""
CATCH_UP_ROUNDS = 20
"""Refreshes in a row while a backlog is still being read (each reads a bounded number of
bytes, so the event loop gets the first folders at once and the rest as they come)."""


class LocalLogsLoader:
    """Follows the log folders under the roots it was given (None: no local logs)."""

    def __init__(self, state: StoreState, logs: LocalLogs | None) -> None:
        self.state = state
        self.logs = logs
        self._running = False

    @property
    def enabled(self) -> bool:
        """Whether any log roots are followed."""
        return self.logs is not None

    async def load(self) -> bool:
        """Read what changed in the log folders and announce it. A refresh already running is
        not waited for: this one is then a no-op (the running one brings the news)."""
        logs = self.logs
        if logs is None or self._running:
            return True
        self._running = True
        state = self.state
        try:
            for _ in range(CATCH_UP_ROUNDS):
                change = await asyncio.to_thread(logs.refresh)
                state.local = logs.state
                state.announce(Change(LOCAL, change.added, change.updated, change.removed))
                if logs.state.caught_up:
                    break
        except (OSError, ValueError) as error:
            state.errors[LOCAL] = f"reading the training logs: {error}"
            state.announce(Change(LOCAL), force=True)
            return False
        finally:
            self._running = False
        if state.errors.pop(LOCAL, None) is not None:
            state.announce(Change(LOCAL), force=True)
        return True
