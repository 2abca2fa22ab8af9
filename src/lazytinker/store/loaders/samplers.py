"""The samplers loader: every sampler named by the sessions, read a few at a time."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lazytinker.api.errors import NotFoundError
from lazytinker.store.capabilities import Capabilities
from lazytinker.store.loaders.base import Loader
from lazytinker.store.loaders.sessions import SessionsLoader
from lazytinker.store.protocol import Capability, StoreAPI
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.api.models import GetSamplerResponse

IN_FLIGHT = 8
"""Session details and sampler reads in flight at once."""


class SamplersLoader(Loader):
    """Loads `state.samplers`: the sessions first when needed, then their samplers' details."""

    def __init__(
        self,
        state: StoreState,
        api: StoreAPI,
        capabilities: Capabilities,
        sessions: SessionsLoader,
    ) -> None:
        super().__init__(state, api, capabilities)
        self.sessions = sessions

    async def load(self) -> bool:
        """Load every sampler named by the sessions (their details are read when missing)."""
        state = self.state
        if not self.capabilities.supports(Capability.SAMPLERS):
            state.samplers.loaded = True
            return True

        async def work() -> None:
            if not state.sessions.loaded:
                await self.sessions.load_unguarded()
            limit = asyncio.Semaphore(IN_FLIGHT)

            async def details(session_id: str) -> None:
                async with limit:
                    await self.sessions.load_one(session_id)

            missing = [s.session_id for s in state.sessions if s.sampler_ids is None]
            await asyncio.gather(*(details(s) for s in missing))
            ids = sorted({i for s in state.sessions for i in (s.sampler_ids or ())})

            async def one(sampler_id: str) -> GetSamplerResponse | None:
                async with limit:
                    try:
                        return await self.api.get_sampler(sampler_id)
                    except NotFoundError:
                        return None

            found = [s for s in await asyncio.gather(*(one(i) for i in ids)) if s is not None]
            state.announce(state.samplers.replace(found), force=True)

        return await self.guard("samplers", work())
