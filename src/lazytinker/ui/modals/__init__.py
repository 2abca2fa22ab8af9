"""Modal screens: confirmations, TTL, delete and go-to-path (issue 6).

Each is imported the first time it is asked for (a module `__getattr__`, PEP 562): a modal is
opened by a key, never on the way to the first frame, and importing all of them cost start-up
time (issue 19).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lazytinker.store.ttl import TtlChoice
    from lazytinker.ui.modals._format import literal
    from lazytinker.ui.modals.confirm import ConfirmModal, YesNoModal
    from lazytinker.ui.modals.delete import DeleteItem, DeleteModal
    from lazytinker.ui.modals.goto import GotoModal
    from lazytinker.ui.modals.ttl import TtlModal

_HOMES = {
    "ConfirmModal": "lazytinker.ui.modals.confirm",
    "DeleteItem": "lazytinker.ui.modals.delete",
    "DeleteModal": "lazytinker.ui.modals.delete",
    "GotoModal": "lazytinker.ui.modals.goto",
    "TtlChoice": "lazytinker.store.ttl",
    "TtlModal": "lazytinker.ui.modals.ttl",
    "YesNoModal": "lazytinker.ui.modals.confirm",
    "literal": "lazytinker.ui.modals._format",
}

__all__ = [
    "ConfirmModal",
    "DeleteItem",
    "DeleteModal",
    "GotoModal",
    "TtlChoice",
    "TtlModal",
    "YesNoModal",
    "literal",
]


def __getattr__(name: str) -> Any:
    """A modal (or its helper) by name, imported from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
