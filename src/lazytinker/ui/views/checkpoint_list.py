"""A pane of checkpoints: the checkpoint keys act on its selection or its highlighted row, `y`
copies the path, `S`/`A`/`E` order it for a clean-up. The run's checkpoints pane and the all
checkpoints view are both one."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from lazytinker.api.models import Checkpoint
from lazytinker.store import Store
from lazytinker.ui import columns as cols
from lazytinker.ui.actions.checkpoints import CHECKPOINT_BINDINGS, KEEP_FOREVER, CheckpointKeys
from lazytinker.ui.actions.copy import COPY_PATH, CopyPathKey
from lazytinker.ui.filter_fields import checkpoint_fields, metadata_text
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import fresh_mark


def checkpoint_table(
    store: Store, *, id: str, empty: str, with_run: bool = False
) -> VirtualTable[Checkpoint]:
    """A table of checkpoints keyed by path (with a run column when they come from many runs);
    `/` knows the checkpoint terms (`type:`, `size:`, `expires:`…) and looks in metadata."""
    table: VirtualTable[Checkpoint] = VirtualTable(
        cols.checkpoint_columns(store, with_run=with_run),
        key=lambda c: c.path,
        row_mark=fresh_mark(store),
        empty_text=empty,
        id=id,
    )
    table.model.fields = checkpoint_fields(lambda: store.moment)
    table.model.extra_text = metadata_text
    return table


class CheckpointList(Pane, CheckpointKeys, CopyPathKey):
    """A pane whose rows are checkpoints (the class that builds it sets `store`)."""

    HELP_ROWS = "On checkpoints"
    BINDINGS: ClassVar[list[BindingType]] = [
        *CHECKPOINT_BINDINGS,
        COPY_PATH,
        Binding("S", "sort_checkpoints('size')", "Biggest", id="sort_size"),
        Binding("A", "sort_checkpoints('created')", "Oldest", id="sort_age"),
        Binding("E", "sort_checkpoints('expires')", "Expiring first", id="sort_expiry"),
        KEEP_FOREVER,
    ]

    table: VirtualTable[Any]

    async def checkpoint_targets(self) -> list[Checkpoint]:
        """The selected checkpoints (even those a filter hides), else the highlighted one."""
        selected = self.table.selected_items()
        if selected:
            return list(selected)
        item = self.highlighted()
        return [item] if isinstance(item, Checkpoint) else []

    def targets_done(self) -> None:
        """Drop the selection once it has been acted on."""
        if self.table.selected:
            self.table.selected.clear()
            self.table.refresh()
        self.update_title()
        self.changed()

    def copy_text(self) -> str | None:
        """The highlighted checkpoint's path."""
        item = self.highlighted()
        return item.path if isinstance(item, Checkpoint) else None

    def action_sort_checkpoints(self, column: str) -> None:
        """`S` biggest first, `A` oldest first, `E` soonest to expire first (never last): the
        storage clean-up orders."""
        self.table.sort_by(column, reverse=column == "size")
        self.update_title()
        self.changed()
