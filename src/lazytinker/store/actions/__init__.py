"""The store's mutations: publish/unpublish, expiry, delete, each over many checkpoints."""

from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.facade import Actions, ReadOnlyError
from lazytinker.store.actions.reread import Reread

__all__ = ["Actions", "Bulk", "ReadOnlyError", "Reread"]
