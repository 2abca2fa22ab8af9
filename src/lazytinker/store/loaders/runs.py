"""The training runs loader: every run of one access scope (and, when chosen, one project),
page by page, the first page shown at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.api.paging import iter_offset_pages
from lazytinker.store.loaders.base import Loader
from lazytinker.store.records import Fallback

if TYPE_CHECKING:
    from lazytinker.api.models import AccessScope, TrainingRunsResponse

RUN_PAGE = 100
UNLABELLED = Fallback(
    "projects unknown",
    "runs here carry no project_id: the project filter may keep runs of other projects",
)


class RunsLoader(Loader):
    """Loads `state.runs` for the scope asked (`owned` or `accessible`)."""

    async def load(self, scope: AccessScope | None = None) -> bool:
        """Load every run of the scope; switching scope empties the collection first."""
        state = self.state
        if scope is not None and scope != state.run_scope:
            state.run_scope = scope
            state.announce(state.runs.clear(), force=True)
        return await self.guard("runs", self.load_unguarded())

    async def load_project(self, project_id: str | None) -> bool:
        """Narrow the listing to one project (None: every project), emptying it first."""
        state = self.state
        if project_id != state.run_project:
            state.run_project = project_id
            state.announce(state.runs.clear(), force=True)
        return await self.guard("runs", self.load_unguarded())

    async def load_unguarded(self) -> None:
        """Load the runs of the current scope and project, raising on failure."""
        await self._load(self.state.run_scope, self.state.run_project)

    async def _load(self, scope: AccessScope, project_id: str | None) -> None:
        seen: set[str] = set()
        runs = self.state.runs

        async def fetch(offset: int, limit: int) -> TrainingRunsResponse:
            return await self.api.list_training_runs(
                limit=limit, offset=offset, access_scope=scope, project_id=project_id
            )

        unlabelled = False
        async for page in iter_offset_pages(
            fetch,
            page_size=RUN_PAGE,
            total_of=lambda p: p.cursor.total_count,
            keys_of=lambda p: (r.training_run_id for r in p.training_runs),
            on_stop=lambda why: self.state.notify(f"Training runs: {why}", "warning"),
        ):
            got = page.training_runs
            if project_id is not None:
                # A server that ignores the filter sends every project's runs: keep the ones
                # that say they are in it (and those that say nothing: they may be).
                got = [r for r in got if r.project_id in (None, project_id)]
                unlabelled = unlabelled or any(r.project_id is None for r in got)
            seen.update(r.training_run_id for r in got)
            self.state.merge(runs, got)
            # The first page is what the first screen shows; the rest can wait for it.
            await self.state.after_first_screen()
        self.state.set_fallback("runs", UNLABELLED if unlabelled else None)
        removed = runs.remove_missing(seen)
        runs.loaded = True
        self.state.announce(removed)
