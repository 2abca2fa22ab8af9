"""The start of the conversation with a server: handshake and first listings at once, then, in
the background, who the key is and what the flavor's preset did not expect.

`Store.start()` hands out one task that the command line starts before the UI is built and the
main screen awaits (issue 19); `again` starts a new one after a start that failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from lazytinker.store.capabilities import Capabilities
from lazytinker.store.loaders import Loaders
from lazytinker.store.protocol import Capability, StoreAPI
from lazytinker.store.records import Connection
from lazytinker.store.state import StoreState


class Startup:
    """Starts the store once (or again after a failure) and owns the work that follows."""

    def __init__(
        self, state: StoreState, api: StoreAPI, loaders: Loaders, capabilities: Capabilities
    ) -> None:
        self.state = state
        self.api = api
        self.loaders = loaders
        self.capabilities = capabilities
        self.task: asyncio.Task[bool] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    def start(self, *, again: bool = False, screen: bool = False) -> asyncio.Task[bool]:
        """The start-up task: connect, first runs and sessions (True when usable). With
        `screen`, what the first screen does not show waits until it is painted (the UI says
        so with `first_screen_shown`)."""
        task = self.task
        if task is None or (again and task.done()):
            if screen and self.task is None:
                self.state.first_screen = asyncio.Event()
            # Said at once, not when the task first runs: a retry is under way from now.
            self.state.set_connection(Connection.CONNECTING)
            task = self.task = asyncio.get_running_loop().create_task(self._start())
        return task

    async def _start(self) -> bool:
        ok = await self.loaders.start()
        if ok:
            self.spawn(self._after_start())
        return ok

    async def _after_start(self) -> None:
        """Once the first rows are in: who the key is, and what the flavor's preset did not
        expect (an hpcai server that gained a route gets it)."""
        await self.state.after_first_screen()
        untried = [c for c in self.capabilities.untried() if not self.capabilities.supports(c)]
        await asyncio.gather(self.loaders.identity.load(), self.api.probe(untried))
        if self.capabilities.supports(Capability.SESSIONS) and not self.state.sessions.loaded:
            await self.loaders.sessions.load()

    async def probe(self, everything: bool = False) -> None:
        """Ask the server about every capability no answer has decided yet (`everything`:
        every one a read can decide, again). Reads only."""
        await self.api.probe(list(Capability) if everything else self.capabilities.untried())

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` in the background until it ends or the store closes."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def cancel(self) -> None:
        """Stop whatever is still running."""
        for task in [self.task, *self._background]:
            if task is not None and not task.done():
                task.cancel()
