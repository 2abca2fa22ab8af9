"""Modal screens: confirmations, TTL, delete and go-to-path (issue 6)."""

from lazytinker.store.ttl import TtlChoice
from lazytinker.ui.modals._format import literal
from lazytinker.ui.modals.confirm import ConfirmModal, YesNoModal
from lazytinker.ui.modals.delete import DeleteItem, DeleteModal
from lazytinker.ui.modals.goto import GotoModal
from lazytinker.ui.modals.ttl import TtlModal

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
