"""Modal screens: confirmations, TTL, delete and go-to-path (issue 6)."""

from tinkerscope.ttl import TtlChoice
from tinkerscope.ui.modals._format import literal
from tinkerscope.ui.modals.confirm import ConfirmModal, YesNoModal
from tinkerscope.ui.modals.delete import DeleteItem, DeleteModal
from tinkerscope.ui.modals.goto import GotoModal
from tinkerscope.ui.modals.ttl import TtlModal

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
