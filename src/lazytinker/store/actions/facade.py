"""Every mutation the store offers, behind one gate: nothing is written in read-only mode.

Each kind of action lives in its own module and says what to do with one checkpoint; `Bulk`
runs it over many. Run-level actions (on every checkpoint of a run, say) will be one more module
here, built on the same `Bulk` and `Reread`; the bulk action in progress is
`progress`'s. Downloads are the `DownloadManager`'s
(`store/downloads.py`), which the app attaches to the store as `store.downloads`.
"""

from __future__ import annotations

from collections.abc import Sequence

from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.actions.bulk import Bulk
from lazytinker.store.actions.delete import Deletion
from lazytinker.store.actions.expiry import Expiry
from lazytinker.store.actions.progress import Progress
from lazytinker.store.actions.reread import Reread
from lazytinker.store.actions.visibility import Visibility
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult
from lazytinker.store.state import StoreState


class ReadOnlyError(LazytinkerError):
    """A mutation was asked for in read-only mode."""


class Actions:
    """Publish, unpublish, set the expiry of and delete checkpoints (unless read-only)."""

    def __init__(self, state: StoreState, api: StoreAPI, *, read_only: bool = False) -> None:
        self.read_only = read_only
        self.bulk = Bulk(api=api)
        self.reread = Reread(state, api)
        self.progress = Progress(state)
        self.visibility = Visibility(state, api, self.reread, self.bulk)
        self.expiry = Expiry(state, api, self.reread, self.bulk, self.progress)
        self.deletion = Deletion(state, api, self.reread, self.bulk, self.progress)

    def check_writable(self, what: str) -> None:
        """Raise `ReadOnlyError` naming `what` when the store is read-only."""
        if self.read_only:
            raise ReadOnlyError(
                f"Read-only mode: {what} is disabled (--read-only or ui.read_only in the config)."
            )

    async def publish(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Make checkpoints public (optimistic; rolled back with a reason when refused)."""
        self.check_writable("publishing")
        return await self.visibility.set_public(refs, True)

    async def unpublish(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Make checkpoints private (optimistic; rolled back with a reason when refused)."""
        self.check_writable("unpublishing")
        return await self.visibility.set_public(refs, False)

    async def set_ttl(
        self, refs: Sequence[CheckpointRef], seconds: int | None, *, label: str | None = None
    ) -> list[ActionResult]:
        """Set (or with None remove) the expiry of checkpoints; the rows show the new expiry."""
        self.check_writable("setting the expiry")
        return await self.expiry.set_ttl(refs, seconds, label=label)

    async def delete(
        self, refs: Sequence[CheckpointRef], *, label: str | None = None
    ) -> list[ActionResult]:
        """Delete checkpoints, many at once, with progress in `operation`; failures listed."""
        self.check_writable("deleting")
        return await self.deletion.delete(refs, label=label)

    def cancel(self) -> bool:
        """Cancel the bulk action in progress: no new call starts (True if one was running)."""
        return self.progress.cancel()
