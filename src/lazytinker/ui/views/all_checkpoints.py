"""The all checkpoints view (`2`): every checkpoint of the account, newest first, the checkpoint
keys on a selection across runs, `S`/`A` for the storage clean-up orders; `enter` shows a
checkpoint under its run in the browse view."""

from __future__ import annotations

from typing import Any

from lazytinker.store import Capability, Keyed, Store
from lazytinker.ui.views.base import PaneView
from lazytinker.ui.views.checkpoint_list import CheckpointList, checkpoint_table


class AllCheckpointsView(CheckpointList, PaneView):
    """Every checkpoint of the account (the user-wide listing)."""

    collection = "user_checkpoints"

    def __init__(self, store: Store) -> None:
        table = checkpoint_table(
            store, id="all-checkpoints", empty="No checkpoints in this account.", with_run=True
        )
        # Newest first even for rows the watch finds later (they would otherwise go last).
        table.default_sort = lambda c: -c.time.timestamp()
        table.activatable = True  # shows the checkpoint under its run
        super().__init__(
            store, "All checkpoints", table, id="all-checkpoints-pane", selectable=True
        )
        self.default_order = "newest first"

    def keyed(self) -> Keyed[Any]:
        """The user-wide checkpoints."""
        return self.store.user_checkpoints

    def unavailable(self) -> str | None:
        """hpcai has no user-wide listing."""
        if self.store.supports(Capability.USER_CHECKPOINTS):
            return None
        return f"The {self.store.flavor} service has no user-wide checkpoint list."
