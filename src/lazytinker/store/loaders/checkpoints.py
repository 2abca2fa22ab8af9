"""The checkpoint loaders: one run's checkpoints, and every checkpoint of the user.

Where the next fallback goes: a server without the user-wide listing
(`Capability.USER_CHECKPOINTS` missing) could still fill `user_checkpoints` from every run's
checkpoints (`RunCheckpointsLoader`, a few runs at a time); today the collection stays empty.
"""

from __future__ import annotations

from lazytinker.api.models import CheckpointsListResponse
from lazytinker.api.paging import iter_offset_pages
from lazytinker.store.loaders.base import Loader
from lazytinker.store.protocol import Capability

CHECKPOINT_PAGE = 1000
SHOWN_IN_NOTICE = 3
"""New checkpoints named in a "Run … saved …" notice before the rest are counted."""


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
            change = keyed.replace(got.checkpoints, state.mutations.newer_than(since))
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

    async def load(self, *, newest_only: bool = False) -> bool:
        """Load every checkpoint of the user, newest first, several pages in flight.

        `newest_only` (the watch) reads the first page alone and adds what is new: re-reading a
        100,000-row listing every few seconds would cost the server more than it tells us.
        """
        state = self.state
        keyed = state.user_checkpoints
        if not self.capabilities.supports(Capability.USER_CHECKPOINTS):
            keyed.loaded = True
            return True

        async def work() -> None:
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
                limit=CHECKPOINT_PAGE if newest_only else None,
                on_stop=lambda why: state.notify(f"All checkpoints: {why}", "warning"),
            ):
                seen.update(c.path for c in page.checkpoints)
                state.merge(keyed, page.checkpoints, watch=newest_only, since=since)
            if not newest_only:
                state.announce(keyed.remove_missing(seen, state.mutations.newer_than(since)))
                keyed.loaded = True

        return await self.guard("user_checkpoints", work())
