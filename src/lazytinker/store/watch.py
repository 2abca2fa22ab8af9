"""The watch: refresh what is on screen every few seconds, and mark what is new.

It skips a turn while a modal is open (`paused`) or while watching is off, and backs off while
the server fails: the delay doubles per failed refresh, up to a minute, and a success resets it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Coroutine, Iterable
from typing import Any, Protocol

from lazytinker.store.keyed import Change
from lazytinker.store.state import StoreState

MAX_BACKOFF = 60.0
MAX_FAILURES = 8
"""Failures counted toward the back-off (2**8 intervals is past any cap)."""
MIN_INTERVAL = 0.2


class Refresh(Protocol):
    """`Loaders.refresh`: reload the named collections (None: what is visible)."""

    def __call__(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> Awaitable[bool]: ...


class Watch:
    """The refresh loop: interval, on/off, paused while a modal is open, back-off on failure."""

    def __init__(self, state: StoreState, refresh: Refresh, interval: float) -> None:
        self.state = state
        self._refresh = refresh
        self.interval = max(MIN_INTERVAL, interval)
        self.watching = True
        self.paused = False
        self.failures = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    def set_visible(self, collections: Iterable[str]) -> None:
        """Tell the watch what is on screen."""
        self.state.visible = set(collections)

    def start(self) -> None:
        """Start the watch loop (once)."""
        if self._task is None:
            self._task = self._spawn(self._loop())

    def toggle(self) -> bool:
        """Turn watching on or off; returns the new state."""
        self.watching = not self.watching
        self.failures = 0
        self._wake.set()
        self.state.announce(Change("status"), force=True)
        return self.watching

    def set_paused(self, paused: bool) -> None:
        """Pause the watch (a modal is open) or resume it."""
        if paused != self.paused:
            self.paused = paused
            self.state.announce(Change("status"), force=True)

    @property
    def next_delay(self) -> float:
        """Seconds until the next watch refresh: the interval, doubled per failure, capped."""
        return float(min(self.interval * (2**self.failures), max(MAX_BACKOFF, self.interval)))

    def cancel(self) -> None:
        """Stop the loop and whatever it started."""
        for task in [self._task, *self._tasks]:
            if task is not None:
                task.cancel()

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.next_delay)
            if not self.watching or self.paused or self._wake.is_set():
                continue
            ok = await self._refresh(watch=True)
            self.failures = 0 if ok else min(self.failures + 1, MAX_FAILURES)
