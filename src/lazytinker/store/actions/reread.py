"""Asking the server again about one checkpoint, when its answer to an action was a surprise."""

from __future__ import annotations

from lazytinker.api.errors import LazytinkerError
from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState


class Reread:
    """Re-reads one checkpoint and writes what the server says into every collection."""

    def __init__(self, state: StoreState, api: StoreAPI) -> None:
        self.state = state
        self.api = api

    async def checkpoint(self, ref: CheckpointRef) -> Checkpoint | None:
        """Re-read one checkpoint from the server (through its run's listing).

        Returns it (its row now shows the server's state), or None when the server no longer
        has it (its row is removed). Raises when the server could not tell us.
        """
        got = await self.api.list_checkpoints(ref.run_id)
        for checkpoint in got.checkpoints:
            if checkpoint.path == ref.path:
                self.state.put_checkpoint(checkpoint)
                return checkpoint
        self.state.drop_checkpoint(ref.path)
        return None

    async def after_not_found(self, ref: CheckpointRef, refused: str) -> ActionResult:
        """A 404: deleted elsewhere (drop the row), or still there but not ours (roll back)."""
        try:
            now = await self.checkpoint(ref)
        except LazytinkerError:
            now = None
        if now is None:
            message = f"{ref.path} no longer exists (deleted elsewhere); removed"
            self.state.notify(message, "warning")
            return ActionResult(ref.path, False, message)
        message = f"{refused} {ref.path}: the server refused (only the run's owner may change it)"
        self.state.notify(message, "error")
        return ActionResult(ref.path, False, message)
