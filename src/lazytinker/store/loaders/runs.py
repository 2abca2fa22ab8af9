"""The training runs loader: every run of one access scope, page by page, first page at once."""

from __future__ import annotations

from lazytinker.api.models import AccessScope, TrainingRunsResponse
from lazytinker.api.paging import iter_offset_pages
from lazytinker.store.loaders.base import Loader

RUN_PAGE = 100


class RunsLoader(Loader):
    """Loads `state.runs` for the scope asked (`owned` or `accessible`)."""

    async def load(self, scope: AccessScope | None = None) -> bool:
        """Load every run of the scope; switching scope empties the collection first."""
        state = self.state
        if scope is not None and scope != state.run_scope:
            state.run_scope = scope
            state.announce(state.runs.clear(), force=True)
        return await self.guard("runs", self._load(state.run_scope))

    async def _load(self, scope: AccessScope) -> None:
        seen: set[str] = set()
        runs = self.state.runs

        async def fetch(offset: int, limit: int) -> TrainingRunsResponse:
            return await self.api.list_training_runs(limit=limit, offset=offset, access_scope=scope)

        async for page in iter_offset_pages(
            fetch,
            page_size=RUN_PAGE,
            total_of=lambda p: p.cursor.total_count,
            keys_of=lambda p: (r.training_run_id for r in p.training_runs),
            on_stop=lambda why: self.state.notify(f"Training runs: {why}", "warning"),
        ):
            seen.update(r.training_run_id for r in page.training_runs)
            self.state.merge(runs, page.training_runs)
        removed = runs.remove_missing(seen)
        runs.loaded = True
        self.state.announce(removed)
