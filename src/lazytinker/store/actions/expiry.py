"""Setting the expiry (TTL) of checkpoints: the rows show it at once and are then re-read."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import timedelta

from lazytinker.api.errors import LazytinkerError, NotFoundError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.reread import Reread
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState


class Expiry:
    """Sets or removes the expiry of checkpoints, rolled back with a reason when refused."""

    def __init__(self, state: StoreState, api: StoreAPI, reread: Reread, bulk: Bulk) -> None:
        self.state = state
        self.api = api
        self.reread = reread
        self.bulk = bulk

    async def set_ttl(
        self, refs: Sequence[CheckpointRef], seconds: int | None
    ) -> list[ActionResult]:
        """Set (or with None remove) the expiry of checkpoints; the rows show the new expiry."""
        state = self.state
        expires = None if seconds is None else state.now() + timedelta(seconds=seconds)

        async def one(ref: CheckpointRef) -> ActionResult:
            before = state.find_checkpoint(ref.path)
            if before is not None:
                state.put_checkpoint(before.model_copy(update={"expires_at": expires}))
            try:
                await self.api.set_checkpoint_ttl(ref, seconds)
            except NotFoundError:
                if before is not None:
                    state.put_checkpoint(before)
                return await self.reread.after_not_found(ref, "Could not set the expiry of")
            except LazytinkerError as error:
                if before is not None:
                    state.put_checkpoint(before)
                message = f"Could not set the expiry of {ref.path}: {error}"
                state.notify(message, "error")
                return ActionResult(ref.path, False, message)
            with contextlib.suppress(LazytinkerError):
                await self.reread.checkpoint(ref)
            return ActionResult(ref.path, True)

        return await self.bulk.run(refs, one)
