"""Running one action over many checkpoints, as fast as the server allows, cancellable.

Up to 32 calls in flight (the official CLI's number), as many as keep the answers quick, fewer
while the server answers 429 (`Throttle`: the window halves on a 429, and `Retry-After` holds
back new calls). The API client tells the bulk of every 429 it sees, even
those its own retries then got through, so the pace follows the server at once. A call that
still ends in 429 goes back in the queue (a few times) rather than failing.

Cancelling stops new calls; the calls in flight finish (what is done stays done, and the rows
say so), and what never started is reported as not attempted. The actions only say what to do
with one checkpoint; they never see the queue.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from lazytinker.api.errors import APIError, RateLimitedError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.throttle import MAX_IN_FLIGHT, Throttle
from lazytinker.store.records import ActionResult

MAX_REQUEUES = 8
"""Times one checkpoint goes back in the queue after a 429 before it counts as failed."""

OneAction = Callable[[CheckpointRef], Awaitable[ActionResult]]
Progress = Callable[[ActionResult], None]


class Cancelled:
    """A cancel button for one bulk action: set it, and no new call starts."""

    def __init__(self) -> None:
        self.requested = False

    def cancel(self) -> None:
        """Stop starting new calls (those in flight finish)."""
        self.requested = True


class Bulk:
    """Runs an action on each checkpoint with a paced number of calls in flight."""

    def __init__(self, in_flight: int = MAX_IN_FLIGHT, *, api: Any = None) -> None:
        self.in_flight = in_flight
        self.api = api
        self.last: Throttle | None = None
        """The pace of the latest run (tests and summaries read how far it slowed down)."""

    async def run(
        self,
        refs: Sequence[CheckpointRef],
        one: OneAction,
        *,
        cancel: Cancelled | None = None,
        progress: Progress | None = None,
    ) -> list[ActionResult]:
        """The result of `one` for each ref, in order; an API error becomes a failed result,
        and a ref never tried (cancelled) a result with `attempted` False."""
        throttle = Throttle(self.in_flight)
        self.last = throttle
        cancel = cancel or Cancelled()
        pending: deque[tuple[int, CheckpointRef, int]] = deque(
            (n, ref, 0) for n, ref in enumerate(refs)
        )
        results: dict[int, ActionResult] = {}
        unsubscribe = self._listen(throttle)

        async def attempt(ref: CheckpointRef, tries: int) -> ActionResult | None:
            began = time.monotonic()
            try:
                result = await one(ref)
            except RateLimitedError as error:
                throttle.throttled(error.retry_after)
                if tries < MAX_REQUEUES:
                    return None
                return ActionResult(ref.path, False, f"{ref.path}: {error}")
            except (APIError, ValueError) as error:
                return ActionResult(ref.path, False, str(error))
            throttle.succeeded(time.monotonic() - began)
            return result

        async def worker() -> None:
            while pending and not cancel.requested:
                await throttle.acquire()
                if cancel.requested or not pending:
                    throttle.release()
                    return
                n, ref, tries = pending.popleft()
                try:
                    result = await attempt(ref, tries)
                finally:
                    throttle.release()
                if result is None:
                    pending.append((n, ref, tries + 1))
                    continue
                results[n] = result
                if progress is not None:
                    progress(result)

        try:
            await asyncio.gather(*(worker() for _ in range(min(self.in_flight, len(refs)))))
        finally:
            unsubscribe()
        return [
            results.get(n) or ActionResult(ref.path, False, "not attempted", attempted=False)
            for n, ref in enumerate(refs)
        ]

    def _listen(self, throttle: Throttle) -> Callable[[], None]:
        """Hear every 429 the API client meets (a client without the hook: only our own)."""
        hook = getattr(self.api, "on_throttle", None)
        if hook is None:
            return lambda: None
        unsubscribe: Callable[[], None] = hook(throttle.throttled)
        return unsubscribe
