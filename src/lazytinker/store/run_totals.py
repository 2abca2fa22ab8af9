"""Each run's checkpoint count and size, for the run rows and the run-level actions.

From what the store already holds: the run's own listing when it was read, else the user-wide
listing once it is complete. A run with neither is counted when the UI asks (`want`: the runs on
screen), a few runs at a time, in the background; with 2,000 runs only those scrolled past are
read. Every change of a run's total is announced as `run_totals` with the run ids, so the run
rows repaint just those.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from lazytinker.api.errors import LazytinkerError
from lazytinker.store.keyed import Change
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint

IN_FLIGHT = 4
"""Run listings read at once to count the runs on screen."""
COLLECTION = "run_totals"


def run_of_path(path: str) -> str:
    """The run id of a checkpoint path (`tinker://RUN/kind/name`)."""
    parts = path.split("/", 3)
    return parts[2] if len(parts) > 2 else ""


class RunTotal(msgspec.Struct, frozen=True):
    """A run's checkpoints counted: how many, how big, how many of each type."""

    count: int
    size_bytes: int
    by_type: tuple[tuple[str, int], ...]
    unknown_sizes: int = 0

    @classmethod
    def of(cls, checkpoints: Iterable[Checkpoint]) -> RunTotal:
        """Count some checkpoints."""
        kinds: Counter[str] = Counter()
        size = unknown = 0
        for checkpoint in checkpoints:
            kinds[checkpoint.checkpoint_type] += 1
            if checkpoint.size_bytes is None:
                unknown += 1
            else:
                size += checkpoint.size_bytes
        return cls(sum(kinds.values()), size, tuple(sorted(kinds.items())), unknown)


class RunTotals:
    """Counts runs' checkpoints from what the store holds; reads the missing ones on demand."""

    def __init__(self, state: StoreState, api: StoreAPI) -> None:
        self.state = state
        self.api = api
        self._cache: dict[str, RunTotal] = {}
        self._by_run: dict[str, set[str]] | None = None
        """The user-wide listing's paths by run, once that listing is complete."""
        self._wanted: list[str] = []
        self._reading: set[str] = set()
        self._worker: asyncio.Task[None] | None = None
        self._user_loaded = False
        state.subscribe(self._on_change)

    def get(self, run_id: str) -> RunTotal | None:
        """The run's total, or None while its checkpoints are not known."""
        found = self._cache.get(run_id)
        if found is not None:
            return found
        state = self.state
        held = state.checkpoints.get(run_id)
        if held is not None and held.loaded:
            found = RunTotal.of(held)
        elif state.user_checkpoints.loaded:
            items = state.user_checkpoints.items
            paths = self._index().get(run_id, ())
            found = RunTotal.of(items[p] for p in paths if p in items)
        if found is not None:
            self._cache[run_id] = found
        return found

    def want(self, run_ids: Iterable[str]) -> None:
        """The UI shows these runs: count those not known yet, in the background."""
        missing = [r for r in run_ids if r not in self._reading and self.get(r) is None]
        if not missing:
            return
        self._wanted = missing + [r for r in self._wanted if r not in missing]
        if self._worker is None or self._worker.done():
            with contextlib.suppress(RuntimeError):
                self._worker = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        limit = asyncio.Semaphore(IN_FLIGHT)

        async def one(run_id: str) -> None:
            async with limit:
                await self._read(run_id)

        jobs: set[asyncio.Task[None]] = set()
        while self._wanted:
            run_id = self._wanted.pop(0)
            if run_id in self._reading or self.get(run_id) is not None:
                continue
            self._reading.add(run_id)
            job = asyncio.get_running_loop().create_task(one(run_id))
            jobs.add(job)
            job.add_done_callback(jobs.discard)
            await asyncio.sleep(0)
            while len(jobs) >= IN_FLIGHT:
                await asyncio.wait(jobs, return_when=asyncio.FIRST_COMPLETED)
        if jobs:
            await asyncio.wait(jobs)

    async def _read(self, run_id: str) -> None:
        """Read one run's checkpoints into its collection (quietly: a failure is retried the
        next time the run is on screen, and never toasts)."""
        state = self.state
        try:
            since = state.mutations.stamp()
            got = await self.api.list_checkpoints(run_id)
        except LazytinkerError:
            return
        finally:
            self._reading.discard(run_id)
        keyed = state.run_checkpoints(run_id)
        was_loaded = keyed.loaded
        change = keyed.replace(got.checkpoints, state.mutations.unsettled_since(since))
        state.announce(change, force=not was_loaded)

    def forget(self, run_id: str) -> None:
        """Count the run again next time (its checkpoints changed)."""
        self._cache.pop(run_id, None)

    def _index(self) -> dict[str, set[str]]:
        if self._by_run is None:
            index: dict[str, set[str]] = {}
            for path in self.state.user_checkpoints.items:
                index.setdefault(run_of_path(path), set()).add(path)
            self._by_run = index
        return self._by_run

    def _on_change(self, change: Change) -> None:
        name = change.collection
        runs: set[str]
        if self._user_loaded and not self.state.user_checkpoints.loaded:
            self._user_loaded, self._by_run = False, None  # cleared: counted again when loaded
        if not self._user_loaded and self.state.user_checkpoints.loaded:
            # The user-wide listing just became complete: every run can be counted from it.
            self._user_loaded = True
            self._cache.clear()
            self.state.announce(Change(COLLECTION, updated=tuple(self._index())))
        if name.startswith("checkpoints:"):
            runs = {name.removeprefix("checkpoints:")}
        elif name == "user_checkpoints":
            if change.is_empty:
                return
            runs = {run_of_path(k) for k in (*change.added, *change.updated, *change.removed)}
            if self._by_run is not None:
                for key in change.added:
                    self._by_run.setdefault(run_of_path(key), set()).add(key)
                for key in change.removed:
                    self._by_run.get(run_of_path(key), set()).discard(key)
        else:
            return
        # Counted again when next asked (a bulk delete changes a run 2,000 times).
        for run_id in runs:
            self._cache.pop(run_id, None)
        self.state.announce(Change(COLLECTION, updated=tuple(sorted(runs))))

    def snapshot(self) -> dict[str, Any]:
        """What is counted (for tests and debugging)."""
        return dict(self._cache)
