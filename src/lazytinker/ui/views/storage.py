"""The storage view (`5`): checkpoint storage by project and owner, the total and its cost."""

from __future__ import annotations

from textual.content import Content

from lazytinker.api.models import CheckpointStorageItem
from lazytinker.store import Capability, Change, Store
from lazytinker.ui import columns as cols
from lazytinker.ui import format as fmt
from lazytinker.ui.cost import usd
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import PaneView, fresh_mark, show_error


class StorageView(PaneView):
    """Storage usage rows; the pane's subtitle sums them up. Reloaded each time it is opened."""

    collection = "storage"

    def __init__(self, store: Store) -> None:
        table: VirtualTable[CheckpointStorageItem] = VirtualTable(
            cols.storage_columns(store),
            key=lambda i: f"{i.project_id}|{i.org_user_urn}|{i.user_email}",
            row_mark=fresh_mark(store),
            empty_text="No storage used.",
            id="storage",
        )
        super().__init__(store, "Checkpoint storage", table, id="storage-pane")

    def unavailable(self) -> str | None:
        """A server without the route (a key without the role sees the refusal instead)."""
        if self.store.supports(Capability.STORAGE):
            return None
        return self.store.why_not(Capability.STORAGE)

    def apply(self, change: Change) -> bool:
        """The whole usage answer replaces the rows (it has no keys to diff by)."""
        if change.collection != self.collection:
            return False
        usage = self.store.storage
        self.table.set_items(usage.data if usage else [])
        show_error(self, self.store, self.collection)
        if usage is not None:
            total = sum(i.size_bytes for i in usage.data)
            cost = sum(i.estimated_monthly_cost_usd or 0.0 for i in usage.data)
            self.border_subtitle = Content(f"total {fmt.size(total)} · ~{usd(cost)}/mo")
        self.update_title()
        return True
