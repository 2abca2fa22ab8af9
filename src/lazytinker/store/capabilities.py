"""What this server offers, as the store sees it: the question every loader asks first.

The API client records per feature what the server answered (supported, missing, forbidden:
`api/capabilities.py`); this turns it into questions the loaders and the UI can ask without
ever failing, and the store announces `Change("capabilities")` whenever an answer changes what
is known (the UI then hides or greys what went missing, and the about panel repaints).

Where a capability is missing, the loader of its collection falls back (design.md §2):

| missing | fallback | loader |
|---|---|---|
| session search | the plain session list (ids, details read per session) | `loaders/sessions.py` |
| user-wide checkpoints | every run's checkpoints, a few runs at a time | `loaders/checkpoints.py` |
| model list | the base models seen on runs | `loaders/server.py` |

A loader that falls back says so in `StoreState.fallbacks`, which the panes show in their title.
"""

from __future__ import annotations

from lazytinker.api.errors import LazytinkerError
from lazytinker.store.protocol import Capability, Learned, StoreAPI, Support

__all__ = ["Capabilities", "Capability", "Learned", "Support"]


class Capabilities:
    """Whether the server offers a feature; a question that cannot be answered means no."""

    def __init__(self, api: StoreAPI) -> None:
        self.api = api

    def supports(self, capability: Capability) -> bool:
        """Whether the service offers a capability (hpcai lacks sessions, publish, TTL…)."""
        try:
            return bool(self.api.supports(capability))
        except (LazytinkerError, ValueError, KeyError, AttributeError):
            return False

    def allowed(self, capability: Capability) -> bool:
        """Offered, and the key may use it (not answered 403)."""
        try:
            return bool(self.api.capabilities.allowed(capability))
        except (LazytinkerError, ValueError, KeyError, AttributeError):
            return self.supports(capability)

    def why_not(self, capability: Capability) -> str:
        """Why a capability is missing or forbidden, in one line ("" when it is neither)."""
        try:
            return str(self.api.capabilities.why_not(capability))
        except (LazytinkerError, ValueError, KeyError, AttributeError):
            return "" if self.supports(capability) else f"The server does not offer {capability}"

    def all(self) -> dict[Capability, Learned]:
        """Every capability and what is known of it (the about panel's list)."""
        try:
            return dict(self.api.capabilities.all())
        except (LazytinkerError, ValueError, KeyError, AttributeError):
            return {c: Learned(Support.UNKNOWN, assumed=True) for c in Capability}

    def learned(self, capability: Capability) -> Learned:
        """What is known of one capability."""
        try:
            found = self.api.capabilities.learned(capability)
        except (LazytinkerError, ValueError, KeyError, AttributeError):
            support = Support.UNKNOWN if self.supports(capability) else Support.MISSING
            return Learned(support, assumed=True)
        return found if isinstance(found, Learned) else Learned(Support.UNKNOWN, assumed=True)

    def untried(self) -> list[Capability]:
        """Capabilities no answer has decided yet."""
        try:
            return list(self.api.capabilities.untried())
        except (LazytinkerError, ValueError, KeyError, AttributeError):
            return []
