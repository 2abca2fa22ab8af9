"""What every loader shares: the state it fills, the API it reads, and `guard`.

A loader reads one collection from the server and writes it into the `StoreState`. `guard` runs
one load and files its failure under that collection, so one broken pane never takes the rest
of the app down; a success clears the pane's error and marks the server reachable again.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable

from lazytinker.api.errors import LazytinkerError, NotOfferedError
from lazytinker.store.capabilities import Capabilities
from lazytinker.store.keyed import Change
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import Connection
from lazytinker.store.state import StoreState


class Loader:
    """The base of the loaders: the shared state, the API, the server's capabilities."""

    def __init__(self, state: StoreState, api: StoreAPI, capabilities: Capabilities) -> None:
        self.state = state
        self.api = api
        self.capabilities = capabilities

    async def guard(self, collection: str, work: Awaitable[None]) -> bool:
        """Run one load; file its failure under `collection`. True when it succeeded."""
        state = self.state
        state.loading.add(collection)
        try:
            await work
        except NotOfferedError as error:
            # Not a failure of the server: it said what it lacks. The pane says so, and the
            # watch does not back off for it (the next try is refused without a request).
            state.record_error(collection, error)
            return True
        except (LazytinkerError, ValueError) as error:
            state.record_error(collection, error)
            return False
        finally:
            state.loading.discard(collection)
        # What a load leaves behind lives as long as the store: keep the cyclic GC from walking
        # it again on every full collection (100,000 rows made each one a ~100 ms pause while
        # typing into a filter).
        gc.freeze()
        if state.errors.pop(collection, None) is not None:
            state.announce(Change(collection), force=True)
        if state.connection is not Connection.CONNECTED:
            state.set_connection(Connection.CONNECTED)
        return True
