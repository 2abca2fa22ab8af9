"""Whether a key that needs a capability is shown, greyed or hidden (Textual's `check_action`).

Hidden (False) where the flavor's preset says the server has no such thing and it never said
otherwise (hpcai: no publish); greyed (None) where the server's own answer said it is missing or
refused (the about panel, `i`, says why); shown (True) otherwise.
"""

from __future__ import annotations

from lazytinker.store import Capability, Store, Support


def offered(store: Store, capability: Capability) -> bool | None:
    """True, None (greyed) or False (hidden) for a key that needs `capability`."""
    learned = store.learned_of(capability)
    if learned.support is Support.MISSING and learned.assumed:
        return False
    if learned.support in (Support.MISSING, Support.FORBIDDEN):
        return None
    return True
