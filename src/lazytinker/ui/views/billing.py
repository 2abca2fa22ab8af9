"""The billing view (`6`): usage of the last seven days summed by day, kind, model and session.
A key without an admin role sees the server's refusal in the pane."""

from __future__ import annotations

from collections import defaultdict

from lazytinker.store import Change, Store
from lazytinker.ui import columns as cols
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import PaneView, fresh_mark, show_error


def billing_rows(store: Store) -> list[cols.BillingRow]:
    """Billing events summed by day, kind, model and session."""
    if store.billing is None:
        return []
    sums: dict[tuple[str, str, str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for event in store.billing.data:
        info = event.event_info
        kind = info.type
        if kind == "storage":
            amount, unit = float(getattr(info, "gigabyte_hours", 0.0)), "GBh"
        elif kind == "checkpoint":
            amount, unit = float(getattr(info, "count", 0)), "count"
        else:
            amount, unit = float(getattr(info, "token_count", 0)), "tokens"
        key = (
            event.bucket_start.strftime("%Y-%m-%d"),
            kind,
            event.base_model or "-",
            event.session_id or "-",
            unit,
        )
        sums[key][0] += amount
        sums[key][1] += event.estimated_cost_usd or 0.0
    return [
        cols.BillingRow("|".join(k), k[0], k[2], k[3], k[1], v[0], k[4], v[1])
        for k, v in sorted(sums.items())
    ]


class BillingView(PaneView):
    """Billing usage rows. Reloaded each time it is opened."""

    collection = "billing"

    def __init__(self, store: Store) -> None:
        table: VirtualTable[cols.BillingRow] = VirtualTable(
            cols.billing_columns(store),
            key=lambda r: r.key,
            row_mark=fresh_mark(store),
            empty_text="No usage.",
            id="billing",
        )
        super().__init__(store, "Billing usage (last 7 days)", table, id="billing-pane")

    def apply(self, change: Change) -> bool:
        """The events are summed again into rows (they have no keys to diff by)."""
        if change.collection != self.collection:
            return False
        self.table.set_items(billing_rows(self.store))
        show_error(self, self.store, self.collection)
        self.update_title()
        return True
