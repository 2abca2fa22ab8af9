"""The watch: refresh what is on screen every few seconds, and mark what is new.

Each collection on screen has its own beat: a slow one (100,000 checkpoints) never holds the
others back, and a collection is never refreshed twice at once (a second ask joins the refresh
in flight). A refresh that fails, with an error the server sent or anything unexpected, backs
that collection off (the delay doubles per failure, up to a minute; a success resets it) and the
watch goes on: nothing one refresh does can end it.

While the whole server fails (unreachable, 5xx), `failures` counts how long, and `next_delay` is
how often the watch tries again: the header says so. A rejected key does not heal by itself: the
watch waits for `r`. Start-up failures that can heal retry on the same back-off (`wait_to_retry`).
The watch skips its turns while a modal is open (`paused`) or watching is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Protocol

import msgspec

from lazytinker.store.keyed import Change
from lazytinker.store.records import Connection
from lazytinker.store.state import StoreState

MAX_BACKOFF = 60.0
MAX_FAILURES = 8
"""Failures counted toward the back-off (2**8 intervals is past any cap)."""
MIN_INTERVAL = 0.2

HEALING = frozenset({Connection.UNREACHABLE, Connection.FAILING})
"""Failures that can heal by themselves: the watch (and the start-up) keep trying."""
STOPPED = frozenset({Connection.KEY_REJECTED, Connection.NO_CREDENTIAL})
"""Failures that cannot: the watch waits until the user retries (`r`)."""


class Refresh(Protocol):
    """`Loaders.refresh`: reload the named collections (None: what is visible)."""

    def __call__(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> Awaitable[bool]: ...


class Beat(msgspec.Struct):
    """One collection's rhythm: when it is due again, how often it failed, its refresh in flight."""

    due: float = 0.0
    failures: int = 0
    task: asyncio.Task[bool] | None = None

    @property
    def busy(self) -> bool:
        """Whether a refresh of this collection is in flight."""
        return self.task is not None and not self.task.done()


class Watch:
    """The refresh loop: interval, on/off, paused while a modal is open, back-off on failure."""

    def __init__(
        self,
        state: StoreState,
        refresh: Refresh,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self._refresh = refresh
        self._clock = clock
        self.interval = max(MIN_INTERVAL, interval)
        self.watching = True
        self.paused = False
        self.failures = 0
        """How many times in a row the whole server failed (unreachable, 5xx): the back-off."""
        self.stopped: str | None = None
        """Why the loop itself ended, if it ever did (the header says so; `start` restarts)."""
        self._beats: dict[str, Beat] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- settings ----------------------------------------------------------------------------

    def set_visible(self, collections: Iterable[str]) -> None:
        """Tell the watch what is on screen."""
        self.state.visible = set(collections)

    @property
    def started(self) -> bool:
        """Whether the loop is running."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the watch loop (once; again if it ever ended)."""
        if not self.started:
            self.stopped = None
            self._task = self._spawn(self._loop())
            self._task.add_done_callback(self._ended)
            self.state.announce(Change("status"), force=True)

    def toggle(self) -> bool:
        """Turn watching on or off; returns the new state."""
        self.watching = not self.watching
        self.failures = 0
        for beat in self._beats.values():
            beat.failures, beat.due = 0, 0.0
        self._wake.set()
        self.state.announce(Change("status"), force=True)
        return self.watching

    def set_paused(self, paused: bool) -> None:
        """Pause the watch (a modal is open) or resume it."""
        if paused != self.paused:
            self.paused = paused
            self.state.announce(Change("status"), force=True)

    def delay(self, failures: int) -> float:
        """Seconds between tries after `failures` failures in a row: doubling, capped."""
        return float(min(self.interval * (2**failures), max(MAX_BACKOFF, self.interval)))

    @property
    def next_delay(self) -> float:
        """Seconds between tries while the server fails: the interval, doubled per failure."""
        return self.delay(self.failures)

    @property
    def backing_off(self) -> bool:
        """Whether the whole server is failing and the watch is trying less often."""
        return self.failures > 0 and self.state.connection in HEALING

    def cancel(self) -> None:
        """Stop the loop and whatever it started."""
        for task in [self._task, *self._tasks]:
            if task is not None:
                task.cancel()

    # --- refreshing --------------------------------------------------------------------------

    async def refresh(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> bool:
        """Reload the named collections (default: what is on screen), each on its own; a
        collection already being refreshed is joined, not asked for again. True if all
        succeeded."""
        names = sorted(set(self.state.visible if collections is None else collections))
        tasks = [self._start(name, watch=watch) for name in names]
        results = await asyncio.gather(*tasks) if tasks else []
        return all(results)

    def _start(self, name: str, *, watch: bool) -> asyncio.Task[bool]:
        beat = self._beats.setdefault(name, Beat())
        if beat.task is None or beat.task.done():
            beat.task = self._spawn(self._one(name, beat, watch=watch))
        return beat.task

    async def _one(self, name: str, beat: Beat, *, watch: bool) -> bool:
        """Refresh one collection; whatever goes wrong is filed under it, and it backs off."""
        try:
            ok = await self._refresh([name], watch=watch)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # one refresh must never end the watch
            self.state.record_error(name, error)
            ok = False
        beat.failures = 0 if ok else min(beat.failures + 1, MAX_FAILURES)
        beat.due = self._clock() + self.delay(beat.failures)
        self._count(ok, beat.failures)
        return ok

    def _count(self, ok: bool, failures: int) -> None:
        """Keep the server-wide back-off: it grows while the whole server fails."""
        before = self.failures
        if ok or self.state.connection not in HEALING:
            self.failures = 0
        else:
            self.failures = max(self.failures, failures)
        if self.failures != before:
            self.state.announce(Change("status"), force=True)

    async def wait_to_retry(self) -> None:
        """After a start-up failure that can heal: wait the back-off (doubling per failure),
        saying so in the status, before the caller tries again."""
        self.failures = min(self.failures + 1, MAX_FAILURES)
        self.state.announce(Change("status"), force=True)
        await asyncio.sleep(self.next_delay)

    def connected(self) -> None:
        """The start-up got through: forget its failures."""
        if self.failures:
            self.failures = 0
            self.state.announce(Change("status"), force=True)

    # --- the loop ----------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _ended(self, task: asyncio.Task[None]) -> None:
        """The loop never ends by itself; if it ever does, the header must not say watching."""
        if task.cancelled():
            return
        error = task.exception()
        self.stopped = f"stopped: {error}" if error is not None else "stopped"
        self.state.announce(Change("status"), force=True)

    def _due_in(self) -> float:
        """Seconds until the next collection on screen is due (at most one interval)."""
        now = self._clock()
        beats = (self._beats.get(n) for n in self.state.visible)
        # A collection still in flight is not waited for: it is due again once it lands.
        dues = [b.due for b in beats if b is not None and not b.busy]
        wait = min([d - now for d in dues], default=self.interval)
        return max(MIN_INTERVAL, min(wait, self.interval))

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._due_in())
            if self._wake.is_set():
                continue
            if not self.watching or self.paused or self.state.connection in STOPPED:
                continue
            now = self._clock()
            for name in sorted(self.state.visible):
                beat = self._beats.setdefault(name, Beat())
                if not beat.busy and beat.due <= now:
                    self._start(name, watch=True)
