"""Publish and unpublish: the flag flips at once, and flips back with a reason when refused.

A 409 means the checkpoint already was in the state asked for: the store was stale, so the row
is re-read and the answer is a success, not a failure (protocol.md: never retry a 409).
"""

from __future__ import annotations

from collections.abc import Sequence

from lazytinker.api.errors import (
    ConflictError,
    LazytinkerError,
    NotFoundError,
    RateLimitedError,
)
from lazytinker.api.models.structs import wire_copy
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.reread import Reread
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState


class Visibility:
    """Makes checkpoints public or private, optimistically, reconciling a 409."""

    def __init__(self, state: StoreState, api: StoreAPI, reread: Reread, bulk: Bulk) -> None:
        self.state = state
        self.api = api
        self.reread = reread
        self.bulk = bulk

    async def set_public(self, refs: Sequence[CheckpointRef], public: bool) -> list[ActionResult]:
        """Make each checkpoint public (or private); one result per checkpoint."""
        state = self.state
        word = "public" if public else "private"
        call = self.api.publish_checkpoint if public else self.api.unpublish_checkpoint

        async def one(ref: CheckpointRef) -> ActionResult:
            before = state.find_checkpoint(ref.path)
            number = state.mutations.begin(ref.path, "public")
            if before is not None:
                state.put_checkpoint(wire_copy(before, public=public))
            try:
                await state.mutations.awaiting(ref.path, call(ref))
            except RateLimitedError:
                if before is not None:
                    state.undo(ref.path, "public", before.public, number)
                raise  # the bulk slows down and tries it again
            except ConflictError:
                # 409 = already in the state asked for: we were stale. Re-read to be sure;
                # if that read fails, the 409 itself is the answer.
                try:
                    now = await self.reread.checkpoint(ref)
                except LazytinkerError:
                    if before is not None:
                        state.undo(ref.path, "public", public, number)
                    message = f"{ref.path} was already {word}"
                else:
                    shown = "gone" if now is None else ("public" if now.public else "private")
                    message = f"{ref.path} was already {shown} (refreshed)"
                state.notify(message)
                return ActionResult(ref.path, True, message)
            except NotFoundError:
                if before is not None:
                    state.undo(ref.path, "public", before.public, number)
                return await self.reread.after_not_found(ref, f"Could not make {word}")
            except LazytinkerError as error:
                if before is not None:
                    state.undo(ref.path, "public", before.public, number)
                message = f"Could not make {ref.path} {word}: {error}"
                state.notify(message, "error")
                return ActionResult(ref.path, False, message)
            return ActionResult(ref.path, True, f"{ref.path} is now {word}")

        return await self.bulk.run(refs, one)
