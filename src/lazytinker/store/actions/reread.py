"""Asking the server again about one checkpoint, when its answer to an action was a surprise."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint

REREAD_IN_FLIGHT = 8
"""Run listings read at once after a bulk action."""


def _run_of(path: str) -> str:
    try:
        return CheckpointRef.parse(path).run_id
    except ValueError:
        return ""


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
        since = self.state.mutations.stamp()
        got = await self.api.list_checkpoints(ref.run_id)
        for checkpoint in got.checkpoints:
            if checkpoint.path == ref.path:
                self.state.put_checkpoint(checkpoint, since=since)
                return checkpoint
        self.state.drop_checkpoint(ref.path, since=since)
        return None

    async def runs(self, run_ids: Iterable[str], paths: Collection[str]) -> dict[str, bool]:
        """Re-read the runs of `paths` once each (a few at a time), writing what the server
        says of those paths; returns for each path whether the server still has it. A run that
        cannot be read leaves its rows as they are (its paths are not in the answer)."""
        limit = asyncio.Semaphore(REREAD_IN_FLIGHT)
        wanted = set(paths)
        found: dict[str, bool] = {}

        async def one(run_id: str) -> None:
            async with limit:
                since = self.state.mutations.stamp()
                try:
                    got = await self.api.list_checkpoints(run_id)
                except LazytinkerError:
                    return
                present = {c.path: c for c in got.checkpoints}
                for path in wanted:
                    if _run_of(path) != run_id:
                        continue
                    checkpoint = present.get(path)
                    found[path] = checkpoint is not None
                    if checkpoint is None:
                        self.state.drop_checkpoint(path, since=since)
                    else:
                        self.state.put_checkpoint(checkpoint, since=since)

        await asyncio.gather(*(one(r) for r in sorted(set(run_ids))))
        return found

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
