"""Running one action over many checkpoints, a few at a time, each failure kept as a result.

This is where bulk work over thousands of checkpoints grows: more in flight (up to 32), slowing
down when the server answers 429 and speeding up again after a run of successes, progress for
any action (today only delete reports into `state.operation`), and cancelling what has not
started yet. The actions only say what to do with one checkpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from lazytinker.api.errors import APIError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.records import ActionResult

IN_FLIGHT = 4
"""Calls in flight at once for one bulk action."""

OneAction = Callable[[CheckpointRef], Awaitable[ActionResult]]


class Bulk:
    """Runs an action on each checkpoint with at most `in_flight` calls at once."""

    def __init__(self, in_flight: int = IN_FLIGHT) -> None:
        self.in_flight = in_flight

    async def run(self, refs: Sequence[CheckpointRef], one: OneAction) -> list[ActionResult]:
        """The result of `one` for each ref, in order; an API error becomes a failed result."""
        limit = asyncio.Semaphore(self.in_flight)

        async def bounded(ref: CheckpointRef) -> ActionResult:
            async with limit:
                try:
                    return await one(ref)
                except (APIError, ValueError) as error:
                    return ActionResult(ref.path, False, str(error))

        return list(await asyncio.gather(*(bounded(r) for r in refs)))
