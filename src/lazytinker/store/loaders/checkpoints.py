"""The checkpoint loaders: one run's checkpoints, and every checkpoint of the user.

A server without the user-wide listing (`Capability.USER_CHECKPOINTS` missing, or answering
404/405 when first asked) still fills `user_checkpoints`: from every run's checkpoints, a few runs
at a time, each run's rows shown as they come (and kept as that run's collection too). During a
watch only the active runs are read again.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lazytinker.api.errors import UnsupportedError
from lazytinker.api.paging import iter_offset_pages
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.capabilities import Capabilities
from lazytinker.store.loaders.base import Loader
from lazytinker.store.loaders.runs import RunsLoader
from lazytinker.store.protocol import Capability, StoreAPI
from lazytinker.store.records import Fallback, run_is_active
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint, CheckpointsListResponse

CHECKPOINT_PAGE = 1000
SHOWN_IN_NOTICE = 3
"""New checkpoints named in a "Run … saved …" notice before the rest are counted."""
PAGES_IN_FLIGHT = 8
"""Pages of the user-wide listing asked for at once: over a link with a round trip of 80 ms, 4
left the server idle between rounds (14.5 s for 100,000 checkpoints, against 7.3 s on loopback)."""
RUNS_IN_FLIGHT = 8
"""Runs whose checkpoints are read at once when there is no user-wide listing."""
FROM_RUNS = Fallback(
    "from every run",
    f"no user-wide checkpoint list here: every run's checkpoints, {RUNS_IN_FLIGHT} runs at a time",
)


class RunCheckpointsLoader(Loader):
    """Loads `state.checkpoints[run_id]`; during a watch, says what a run saved."""

    async def load(self, run_id: str, *, watch: bool = False) -> bool:
        """Load every checkpoint of one run; during a watch, announce what it saved."""
        state = self.state
        keyed = state.run_checkpoints(run_id)

        async def work() -> None:
            since = state.mutations.stamp()
            got = await self.api.list_checkpoints(run_id)
            was_loaded = keyed.loaded
            # What the user changed while the listing was on its way keeps its new state.
            change = keyed.replace(got.checkpoints, state.mutations.unsettled_since(since))
            if watch and was_loaded and change.added:
                state.mark_fresh(change)
                names = [
                    key.rsplit("/", 2)[-2] + "/" + key.rsplit("/", 1)[-1] for key in change.added
                ]
                shown = ", ".join(names[:SHOWN_IN_NOTICE])
                if len(names) > SHOWN_IN_NOTICE:
                    shown += f" (+{len(names) - SHOWN_IN_NOTICE})"
                state.notify(f"Run {run_id} saved {shown}")
            state.announce(change, force=not was_loaded)

        return await self.guard(keyed.name, work())


class UserCheckpointsLoader(Loader):
    """Loads `state.user_checkpoints`: every checkpoint of the user, newest first."""

    def __init__(
        self, state: StoreState, api: StoreAPI, capabilities: Capabilities, runs: RunsLoader
    ) -> None:
        super().__init__(state, api, capabilities)
        self.runs = runs

    async def load(self, *, newest_only: bool = False) -> bool:
        """Load every checkpoint of the user, newest first, several pages in flight.

        `newest_only` (the watch) reads the first page alone and adds what is new: re-reading a
        100,000-row listing every few seconds would cost the server more than it tells us.
        """
        return await self.guard("user_checkpoints", self._load(newest_only))

    async def _load(self, newest_only: bool) -> None:
        if self.capabilities.supports(Capability.USER_CHECKPOINTS):
            try:
                await self._listing(newest_only)
            except UnsupportedError:
                pass  # learned just now: the route is not there
            else:
                self.state.set_fallback("user_checkpoints", None)
                return
        self.state.set_fallback("user_checkpoints", FROM_RUNS)
        await self._from_runs(newest_only)

    async def _from_runs(self, newest_only: bool) -> None:
        """Every run's checkpoints (during a watch, the active runs' only)."""
        state = self.state
        keyed = state.user_checkpoints
        if not state.runs.loaded:
            await self.runs.load_unguarded()
        now = state.now()
        runs = [r for r in state.runs if not newest_only or run_is_active(r, now)]
        limit = asyncio.Semaphore(RUNS_IN_FLIGHT)
        seen: set[str] = set()
        since = state.mutations.stamp()

        async def one(run_id: str) -> None:
            async with limit:
                got = await self.api.list_checkpoints(run_id)
            # What the user changed while the listings were on their way keeps its new state.
            changed = state.mutations.unsettled_since(since)
            held = state.run_checkpoints(run_id)
            was_loaded = held.loaded
            state.announce(held.replace(got.checkpoints, changed), force=not was_loaded)
            seen.update(c.path for c in got.checkpoints)
            state.merge(keyed, got.checkpoints, watch=newest_only, since=since)
            if newest_only:
                listed = {c.path for c in got.checkpoints}
                gone = {p for p, c in keyed.items.items() if _run_of(c) == run_id} - listed
                for path in gone - changed:
                    state.announce(keyed.remove(path))

        await asyncio.gather(*(one(r.training_run_id) for r in runs))
        if not newest_only:
            state.announce(keyed.remove_missing(seen, state.mutations.unsettled_since(since)))
            keyed.loaded = True

    async def _listing(self, newest_only: bool) -> None:
        """The user-wide listing, several pages in flight."""
        state = self.state
        keyed = state.user_checkpoints
        seen: set[str] = set()
        since = state.mutations.stamp()

        async def fetch(offset: int, limit: int) -> CheckpointsListResponse:
            return await self.api.list_user_checkpoints(limit=limit, offset=offset)

        def total(page: CheckpointsListResponse) -> int:
            return page.cursor.total_count if page.cursor else len(page.checkpoints)

        async for page in iter_offset_pages(
            fetch,
            page_size=CHECKPOINT_PAGE,
            total_of=total,
            keys_of=lambda p: (c.path for c in p.checkpoints),
            concurrency=PAGES_IN_FLIGHT,
            limit=CHECKPOINT_PAGE if newest_only else None,
            on_stop=lambda why: state.notify(f"All checkpoints: {why}", "warning"),
        ):
            seen.update(c.path for c in page.checkpoints)
            state.merge(keyed, page.checkpoints, watch=newest_only, since=since)
        if not newest_only:
            state.announce(keyed.remove_missing(seen, state.mutations.unsettled_since(since)))
            keyed.loaded = True


def _run_of(checkpoint: Checkpoint) -> str:
    """The run id of a checkpoint's path (`tinker://RUN/kind/name`)."""
    try:
        return CheckpointRef.parse(checkpoint.path).run_id
    except ValueError:
        return ""
