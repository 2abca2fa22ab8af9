"""Every loader of the store, the handshake, and `refresh`: reload collections by name.

A new collection gets its loader module beside the others and one entry in `Loaders._refreshers`
(the watch then refreshes it whenever it is on screen). The training logs on this box (the
`local/` layer) are one of them: `local`, keyed by log folder (`local_logs.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from lazytinker.api.errors import LazytinkerError
from lazytinker.store.capabilities import Capabilities
from lazytinker.store.loaders.account import AuditLoader, IdentityLoader
from lazytinker.store.loaders.checkpoints import RunCheckpointsLoader, UserCheckpointsLoader
from lazytinker.store.loaders.local_logs import LocalLogsLoader
from lazytinker.store.loaders.lookup import Lookup
from lazytinker.store.loaders.runs import RunsLoader
from lazytinker.store.loaders.samplers import SamplersLoader
from lazytinker.store.loaders.server import BillingLoader, ModelsLoader, StorageLoader
from lazytinker.store.loaders.sessions import SessionsLoader
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import Connection
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.local import LocalLogs

RUN_CHECKPOINTS = "checkpoints:"
"""The prefix of a run's checkpoint collection (`checkpoints:RUN_ID`)."""

Refresher = Callable[[bool], Awaitable[bool]]
"""Reloads one collection; the argument says whether the watch asked (mark what is new)."""


class Loaders:
    """One loader per collection, sharing the store's state, API and capabilities."""

    def __init__(
        self,
        state: StoreState,
        api: StoreAPI,
        capabilities: Capabilities,
        local_logs: LocalLogs | None = None,
    ) -> None:
        self.state = state
        self.api = api
        self.runs = RunsLoader(state, api, capabilities)
        self.sessions = SessionsLoader(state, api, capabilities)
        self.checkpoints = RunCheckpointsLoader(state, api, capabilities)
        self.user_checkpoints = UserCheckpointsLoader(state, api, capabilities, self.runs)
        self.samplers = SamplersLoader(state, api, capabilities, self.sessions)
        self.models = ModelsLoader(state, api, capabilities)
        self.models.runs = self.runs
        self.identity = IdentityLoader(state, api, capabilities)
        self.audit = AuditLoader(state, api, capabilities)
        self.storage = StorageLoader(state, api, capabilities)
        self.billing = BillingLoader(state, api, capabilities)
        self.lookup = Lookup(state, api, capabilities, self.checkpoints)
        self.local = LocalLogsLoader(state, local_logs)
        self._refreshers: dict[str, Refresher] = {
            "runs": lambda watch: self.runs.load(),
            "sessions": lambda watch: self.sessions.load(),
            "user_checkpoints": lambda watch: self.user_checkpoints.load(newest_only=watch),
            "samplers": lambda watch: self.samplers.load(),
            "models": lambda watch: self.models.load(),
            "storage": lambda watch: self.storage.load(),
            "billing": lambda watch: self.billing.load(),
            "audit": lambda watch: self.audit.load(),
            "local": lambda watch: self.local.load(),
        }

    async def connect(self) -> bool:
        """Do the service's start-up handshake; the connection status says how it went."""
        state = self.state
        state.set_connection(Connection.CONNECTING)
        try:
            await self.api.connect()
        except LazytinkerError as error:
            state.record_error("status", error)
            if state.connection in (Connection.CONNECTING, Connection.CONNECTED):
                state.set_connection(Connection.UNREACHABLE, str(error))
            return False
        state.errors.pop("status", None)
        state.set_connection(Connection.CONNECTED)
        return True

    async def start(self) -> bool:
        """Connect, and load the first runs and sessions beside the handshake, not after it:
        the first listings go out at once (issue 19). True when the server can be used."""
        connecting = asyncio.ensure_future(self.connect())
        loading = asyncio.gather(self.runs.load(), self.sessions.load())
        try:
            ok = await connecting
        finally:
            await loading
        return ok and self.state.connection is Connection.CONNECTED

    def refresher(self, name: str) -> Refresher | None:
        """What reloads the collection `name`, or None for a name no loader knows."""
        if name.startswith(RUN_CHECKPOINTS):
            run_id = name.removeprefix(RUN_CHECKPOINTS)
            return lambda watch: self.checkpoints.load(run_id, watch=watch)
        return self._refreshers.get(name)

    async def refresh(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> bool:
        """Reload the named collections (default: what is on screen); True if all succeeded."""
        state = self.state
        names = set(state.visible if collections is None else collections)
        jobs = [
            refresher(watch)
            for name in sorted(names)
            if (refresher := self.refresher(name)) is not None
        ]
        results = await asyncio.gather(*jobs)
        state.last_refresh = state.tick()
        return all(results)
