"""The training box as one object: log folders found under roots, followed, joined to runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from lazytinker.local.discovery import MAX_DEPTH, FolderScanner, default_roots
from lazytinker.local.series import DEFAULT_CAPACITY
from lazytinker.local.snapshot import ACTIVE_SECONDS, LocalChange, LocalRun, LocalState

if TYPE_CHECKING:
    from lazytinker.local.folder import FolderWatch

SCAN_INTERVAL = 15.0
"""Seconds between searches for new folders; the folders already found are read every refresh."""
MAX_BYTES_PER_REFRESH = 8 << 20
"""Bytes read per refresh, over all folders: parsing is CPU work that holds the interpreter lock,
so a large backlog (a first scan of many long runs) arrives over several refreshes, each about a
second at most, instead of stalling the app. Each snapshot says whether it is `caught_up`."""


class LocalLogs:
    """Finds cookbook log folders under roots and follows them.

    `refresh()` does blocking file I/O: run it in a worker thread (`asyncio.to_thread`), one at a
    time. It returns what changed, by folder key; `state` is then an immutable picture to hand to
    the event loop.
    """

    def __init__(
        self,
        roots: Sequence[str | Path] | None = None,
        *,
        max_depth: int = MAX_DEPTH,
        scan_interval: float = SCAN_INTERVAL,
        max_bytes_per_refresh: int | None = MAX_BYTES_PER_REFRESH,
        capacity: int = DEFAULT_CAPACITY,
        active_seconds: float = ACTIVE_SECONDS,
    ) -> None:
        self.scanner = FolderScanner(
            default_roots() if roots is None else roots, max_depth=max_depth
        )
        self.scan_interval = scan_interval
        self.max_bytes_per_refresh = max_bytes_per_refresh
        self.capacity = capacity
        self.active_seconds = active_seconds
        self._watches: dict[str, FolderWatch] = {}
        self._last_scan: float | None = None
        self._truncated = False
        self._state = LocalState(MappingProxyType({}), MappingProxyType({}))

    @property
    def state(self) -> LocalState:
        """The folders as of the last refresh."""
        return self._state

    def refresh(self, now: float | None = None, *, rescan: bool = False) -> LocalChange:
        """Search for folders (every `scan_interval`, or when `rescan`), then read what changed.

        `now` (epoch seconds, default the clock) decides running versus idle.
        """
        now = time.time() if now is None else now
        added: list[str] = []
        removed: list[str] = []
        if rescan or self._scan_due():
            added, removed = self._rescan()
        updated = [key for key in self._poll(now) if key not in added]
        change = LocalChange(tuple(added), tuple(updated), tuple(removed))
        if not change.is_empty:
            self._state = self._build_state(now)
        return change

    def _poll(self, now: float) -> list[str]:
        """Poll every folder within the byte budget; the keys whose snapshot changed."""
        budget = self.max_bytes_per_refresh
        changed: list[str] = []
        for key, watch in self._watches.items():
            before = watch.bytes_read
            if watch.poll(now, budget):
                changed.append(key)
            if budget is not None:
                budget = max(0, budget - (watch.bytes_read - before))
        return changed

    def _scan_due(self) -> bool:
        return self._last_scan is None or time.monotonic() - self._last_scan >= self.scan_interval

    def _rescan(self) -> tuple[list[str], list[str]]:
        # Imported at the first scan, which comes after the app's first frame: reading a folder
        # (metrics, checkpoints, recipe, tail) is ~8 ms of imports the start need not pay.
        from lazytinker.local.folder import FolderWatch

        self._last_scan = time.monotonic()
        result = self.scanner.scan()
        self._truncated = result.truncated
        found = dict.fromkeys(result.folders)
        removed = [key for key in self._watches if key not in found]
        for key in removed:
            del self._watches[key]
        added = [key for key in found if key not in self._watches]
        previous = self._watches
        self._watches = {
            key: previous.get(key)
            or FolderWatch(key, key, capacity=self.capacity, active_seconds=self.active_seconds)
            for key in found
        }
        return added, removed

    def _build_state(self, now: float) -> LocalState:
        runs = {key: watch.snapshot(now) for key, watch in self._watches.items()}
        folder_of_run: dict[str, str] = {}
        for run in sorted(runs.values(), key=_age_order):
            for run_id in run.run_ids:
                folder_of_run[run_id] = run.key
        return LocalState(MappingProxyType(runs), MappingProxyType(folder_of_run), self._truncated)


def _age_order(run: LocalRun) -> tuple[float, str]:
    """Oldest first, so that the newest folder naming a run id wins it."""
    return (run.last_write if run.last_write is not None else float("-inf"), run.key)
