"""What this server offers, as the store sees it: the question every loader asks first.

The API client records per feature what the server answered (supported, missing, forbidden);
`Capabilities` turns that into a yes or no the loaders can act on without ever failing.

Where the fallbacks of a partial server go (design.md §2): a loader asks `supports(...)` and, on
no, loads its collection another way. Today only the sessions loader has a second way (search,
then list). The next ones belong beside their collection, each asking here first:
user-wide checkpoints -> every run's checkpoints (`loaders/checkpoints.py`); the capabilities
list -> the base models seen on runs (`loaders/server.py`). A capability learned at run time
(a 404 from an endpoint the handshake promised) is recorded here, so every loader sees it.
"""

from __future__ import annotations

from lazytinker.api.errors import LazytinkerError
from lazytinker.store.protocol import Capability, StoreAPI


class Capabilities:
    """Whether the server offers a feature; a question that cannot be answered means no."""

    def __init__(self, api: StoreAPI) -> None:
        self.api = api

    def supports(self, capability: Capability) -> bool:
        """Whether the service offers a capability (hpcai lacks sessions, publish, TTL…)."""
        try:
            return bool(self.api.supports(capability))
        except (LazytinkerError, ValueError, KeyError):
            return False
