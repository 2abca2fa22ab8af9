"""Setting the expiry (TTL) of checkpoints: the rows show it at once, paced and cancellable like
a delete, and each run concerned is then read once for the server's own dates.

Each checkpoint's change takes a mutation number (`Mutations`) before its row changes, so a
refresh that was on its way never writes the old expiry back, and a roll-back after a refusal
never undoes a later change of the same checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from lazytinker import human
from lazytinker.api.errors import LazytinkerError, NotFoundError, RateLimitedError
from lazytinker.api.models.structs import wire_copy
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.progress import NAMED_IN_NOTICE, Progress, summarise
from lazytinker.store.actions.reread import Reread
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState

NOT_FOUND = "404"
GONE = "no longer exists"


class Expiry:
    """Sets or removes the expiry of checkpoints, rolled back with a reason when refused."""

    def __init__(
        self, state: StoreState, api: StoreAPI, reread: Reread, bulk: Bulk, progress: Progress
    ) -> None:
        self.state = state
        self.api = api
        self.reread = reread
        self.bulk = bulk
        self.progress = progress

    async def set_ttl(
        self, refs: Sequence[CheckpointRef], seconds: int | None, *, label: str | None = None
    ) -> list[ActionResult]:
        """Set (or with None remove) the expiry of checkpoints; the rows show the new expiry."""
        state = self.state
        expires = None if seconds is None else state.now() + timedelta(seconds=seconds)
        what = "Removing the expiry of" if seconds is None else "Setting the expiry of"
        operation, cancel = self.progress.start(
            label or f"{what} {human.count(len(refs), 'checkpoint')}", len(refs)
        )

        async def one(ref: CheckpointRef) -> ActionResult:
            before = state.find_checkpoint(ref.path)
            number = state.mutations.begin(ref.path, "expires_at")
            if before is not None:
                state.put_checkpoint(wire_copy(before, expires_at=expires))
            try:
                await state.mutations.awaiting(ref.path, self.api.set_checkpoint_ttl(ref, seconds))
            except RateLimitedError:
                if before is not None:
                    state.undo(ref.path, "expires_at", before.expires_at, number)
                raise  # the bulk slows down and tries it again
            except NotFoundError:
                if before is not None:
                    state.undo(ref.path, "expires_at", before.expires_at, number)
                return ActionResult(ref.path, False, NOT_FOUND)  # settled below
            except LazytinkerError as error:
                if before is not None:
                    state.undo(ref.path, "expires_at", before.expires_at, number)
                message = f"Could not set the expiry of {ref.path}: {error}"
                return ActionResult(ref.path, False, message)
            return ActionResult(ref.path, True)

        results = await self.bulk.run(
            refs, one, cancel=cancel, progress=lambda r: self.progress.step(operation, r)
        )
        results = await self._settle(results)
        throttle = self.bulk.last
        self.progress.end(operation, results, throttle.cuts if throttle else 0)
        verb = "Expiry removed on" if seconds is None else "Expiry set on"
        # Those deleted elsewhere were named already, as warnings.
        summarise(state, verb, [r for r in results if GONE not in r.message], quiet_ok=True)
        return results

    async def _settle(self, results: list[ActionResult]) -> list[ActionResult]:
        """Read each run concerned once: the server's own dates, and what the 404s meant."""
        read = [r.path for r in results if r.attempted]
        if not read:
            return results
        runs = {CheckpointRef.parse(p).run_id for p in read}
        found = await self.reread.runs(runs, read)
        settled: list[ActionResult] = []
        gone_named = 0
        for result in results:
            if result.message == NOT_FOUND:
                if found.get(result.path, False):
                    message = (
                        f"Could not set the expiry of {result.path}: the server refused"
                        " (only the run's owner may change it)"
                    )
                else:
                    message = f"{result.path} {GONE} (deleted elsewhere); removed"
                    self.state.drop_checkpoint(result.path)
                    gone_named += 1
                    if gone_named <= NAMED_IN_NOTICE:
                        self.state.notify(message, "warning")
                result = ActionResult(result.path, False, message)
            settled.append(result)
        return settled
