"""The supported models view (`4`): the base models the account can train and sample."""

from __future__ import annotations

from typing import Any

from lazytinker.api.models import SupportedModel
from lazytinker.store import Keyed, Store
from lazytinker.ui import columns as cols
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import PaneView, fresh_mark


class ModelsView(PaneView):
    """Supported models: name, context length, trainable, sampleable."""

    collection = "models"
    HELP_ROWS = "On models"

    def __init__(self, store: Store) -> None:
        table: VirtualTable[SupportedModel] = VirtualTable(
            cols.model_columns(store),
            key=lambda m: m.model_name or "?",
            row_mark=fresh_mark(store),
            empty_text="No models.",
            id="models",
        )
        super().__init__(store, "Supported models", table, id="models-pane")

    def keyed(self) -> Keyed[Any]:
        """The supported models."""
        return self.store.models
