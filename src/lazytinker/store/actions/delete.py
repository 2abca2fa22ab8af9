"""Deleting checkpoints: paced and cancellable (`Bulk`), progress in `state.operation`, a short
summary at the end.

A row goes as soon as the server confirms its delete. A 404 is settled after the bulk, by reading
each run concerned once: gone already counts as done (deleted elsewhere); still there means the
server refused (only the owner may delete). A failure whose outcome is unknown (a cut
connection, a 5xx) is settled the same way, so the rows never show a checkpoint the server no
longer has, nor hide one it still has.
"""

from __future__ import annotations

from collections.abc import Sequence

from lazytinker import human
from lazytinker.api.errors import LazytinkerError, NotFoundError, RateLimitedError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.progress import NAMED_IN_NOTICE, Progress, summarise
from lazytinker.store.actions.reread import Reread
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState

NOT_FOUND = "404"


class Deletion:
    """Deletes checkpoints, reporting progress and what failed."""

    def __init__(
        self, state: StoreState, api: StoreAPI, reread: Reread, bulk: Bulk, progress: Progress
    ) -> None:
        self.state = state
        self.api = api
        self.reread = reread
        self.bulk = bulk
        self.progress = progress

    async def delete(
        self, refs: Sequence[CheckpointRef], *, label: str | None = None
    ) -> list[ActionResult]:
        """Delete checkpoints, many at once, with progress in `operation`; failures listed."""
        state = self.state
        operation, cancel = self.progress.start(
            label or f"Deleting {human.count(len(refs), 'checkpoint')}", len(refs)
        )

        async def one(ref: CheckpointRef) -> ActionResult:
            state.mutations.begin(ref.path)
            try:
                await state.mutations.awaiting(ref.path, self.api.delete_checkpoint(ref))
            except RateLimitedError:
                raise  # the bulk slows down and tries it again
            except NotFoundError:
                return ActionResult(ref.path, True, NOT_FOUND)  # settled below
            except LazytinkerError as error:
                return ActionResult(ref.path, False, f"{ref.path}: {error}")
            state.drop_checkpoint(ref.path)
            return ActionResult(ref.path, True)

        results = await self.bulk.run(
            refs, one, cancel=cancel, progress=lambda r: self.progress.step(operation, r)
        )
        results = await self._settle(results)
        throttle = self.bulk.last
        self.progress.end(operation, results, throttle.cuts if throttle else 0)
        self._summarise(results)
        return results

    async def _settle(self, results: list[ActionResult]) -> list[ActionResult]:
        """Read the runs of 404s and failures once each, and say what became of them."""
        unsure = [r.path for r in results if r.message == NOT_FOUND or (r.attempted and not r.ok)]
        if not unsure:
            return results
        runs = {CheckpointRef.parse(p).run_id for p in unsure}
        found = await self.reread.runs(runs, unsure)
        settled: list[ActionResult] = []
        for result in results:
            if result.message == NOT_FOUND:
                # A run that could not be read: the 404 itself is the best answer we have.
                if not found.get(result.path, False):
                    result = ActionResult(result.path, True, f"{result.path} was already gone")
                    self.state.drop_checkpoint(result.path)
                else:
                    result = ActionResult(
                        result.path,
                        False,
                        f"{result.path}: the server refused (only the owner may delete)",
                    )
            elif result.attempted and not result.ok and found.get(result.path) is False:
                result = ActionResult(result.path, True)  # it went after all
            settled.append(result)
        return settled

    def _summarise(self, results: list[ActionResult]) -> None:
        notify = self.state.notify
        named = NAMED_IN_NOTICE
        gone = [r for r in results if r.ok and r.message]
        for result in gone[:named]:
            notify(f"{result.message} (deleted elsewhere); removed", "warning")
        if len(gone) > named:
            notify(f"{len(gone) - named} more were already gone; removed", "warning")
        quiet = len(gone) == len(results)
        summarise(self.state, "Deleted", results, quiet_ok=quiet)
