"""Modal screens: confirmations, TTL, delete and go-to-path (issue 6).

Each is imported the first time it is asked for (`lazytinker.lazy`): a modal opens on a key,
never on the way to the first frame, and importing all of them cost start-up time (issue 19).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.lazy import lazy_exports

_HOMES: dict[str, tuple[str, ...]] = {
    "_format": ("literal",),
    "confirm": ("ConfirmModal", "YesNoModal"),
    "delete": ("DeleteItem", "DeleteModal"),
    "goto": ("GotoModal",),
    "ttl": ("TtlChoice", "TtlModal"),
}
"""Which submodule holds each re-exported name."""

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

if TYPE_CHECKING:
    from lazytinker.store.ttl import TtlChoice
    from lazytinker.ui.modals._format import literal
    from lazytinker.ui.modals.confirm import ConfirmModal, YesNoModal
    from lazytinker.ui.modals.delete import DeleteItem, DeleteModal
    from lazytinker.ui.modals.goto import GotoModal
    from lazytinker.ui.modals.ttl import TtlModal
else:
    __getattr__ = lazy_exports(__name__, _HOMES)
