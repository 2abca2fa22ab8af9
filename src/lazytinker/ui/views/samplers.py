"""The samplers view (`3`): every sampler of the account's sessions."""

from __future__ import annotations

from typing import Any

from lazytinker.api.models import GetSamplerResponse
from lazytinker.store import Capability, Keyed, Store
from lazytinker.ui import columns as cols
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import PaneView, fresh_mark


class SamplersView(PaneView):
    """Samplers: id, base model, model path."""

    collection = "samplers"
    HELP_ROWS = "On samplers"

    def __init__(self, store: Store) -> None:
        table: VirtualTable[GetSamplerResponse] = VirtualTable(
            cols.sampler_columns(store),
            key=lambda s: s.sampler_id,
            row_mark=fresh_mark(store),
            empty_text="No samplers.",
            id="samplers",
        )
        table.activatable = True  # goes to the checkpoint the sampler serves
        super().__init__(store, "Samplers", table, id="samplers-pane")

    def keyed(self) -> Keyed[Any]:
        """The samplers."""
        return self.store.samplers

    def unavailable(self) -> str | None:
        """hpcai lists no samplers."""
        if self.store.supports(Capability.SAMPLERS):
            return None
        return f"The {self.store.flavor} service has no samplers listing."
