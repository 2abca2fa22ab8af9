"""Deleting checkpoints: several at once, progress in `state.operation`, one summary notice.

A 404 is read again: gone already counts as done (deleted elsewhere); still there means the
server refused (only the owner may delete).
"""

from __future__ import annotations

from collections.abc import Sequence

from lazytinker import human
from lazytinker.api.errors import LazytinkerError, NotFoundError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.reread import Reread
from lazytinker.store.keyed import Change
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult, Operation
from lazytinker.store.state import StoreState

NAMED_IN_NOTICE = 5
"""Checkpoints a notice names before it counts the rest."""


class Deletion:
    """Deletes checkpoints, reporting progress and what failed."""

    def __init__(self, state: StoreState, api: StoreAPI, reread: Reread, bulk: Bulk) -> None:
        self.state = state
        self.api = api
        self.reread = reread
        self.bulk = bulk

    async def delete(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Delete checkpoints, several at once, with progress in `operation`; failures listed."""
        state = self.state
        operation = Operation(f"Deleting {human.count(len(refs), 'checkpoint')}", total=len(refs))
        state.operation = operation
        state.announce(Change("operation"), force=True)

        async def one(ref: CheckpointRef) -> ActionResult:
            try:
                await self.api.delete_checkpoint(ref)
            except NotFoundError:
                try:
                    still = await self.reread.checkpoint(ref)
                except LazytinkerError:
                    still = None
                if still is None:
                    result = ActionResult(ref.path, True, f"{ref.path} was already gone")
                else:
                    result = ActionResult(
                        ref.path,
                        False,
                        f"{ref.path}: the server refused (only the owner may delete)",
                    )
                    operation.failures.append(result)
            except LazytinkerError as error:
                result = ActionResult(ref.path, False, f"{ref.path}: {error}")
                operation.failures.append(result)
            else:
                state.drop_checkpoint(ref.path)
                result = ActionResult(ref.path, True)
            operation.done += 1
            state.announce(Change("operation"), force=True)
            return result

        results = await self.bulk.run(refs, one)
        self._summarise(results)
        return results

    def _summarise(self, results: list[ActionResult]) -> None:
        notify = self.state.notify
        named = NAMED_IN_NOTICE
        gone = [r for r in results if r.ok and r.message]
        for result in gone[:named]:
            notify(f"{result.message} (deleted elsewhere); removed", "warning")
        if len(gone) > named:
            notify(f"{len(gone) - named} more were already gone; removed", "warning")
        failed = [r for r in results if not r.ok]
        if failed:
            lines = "; ".join(r.message for r in failed[:named])
            more = f" (+{len(failed) - named} more)" if len(failed) > named else ""
            notify(
                f"Deleted {len(results) - len(failed)} of {len(results)}; failed: {lines}{more}",
                "error",
            )
        elif len(results) > len(gone):
            notify(f"Deleted {human.count(len(results) - len(gone), 'checkpoint')}")
