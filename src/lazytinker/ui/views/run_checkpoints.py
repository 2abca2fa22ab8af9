"""The checkpoints of the run opened with `enter`, against the training script's own record.

Besides the checkpoint keys: the step of each checkpoint from its log folder's record; rows for
checkpoints recorded locally but gone from the server (expired, deleted, or rolled over by the
cookbook itself); `M` shows a numeric metadata value (`eval_loss`) as a column and stars the
best checkpoint by it; newest first while the run is active, and `F` follows the newest as
`less +F` follows the end of a file.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from lazytinker.api.models import Checkpoint
from lazytinker.local import Status
from lazytinker.store import Store, run_is_active
from lazytinker.store.gone import GoneCheckpoint
from lazytinker.ui import columns as cols
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.training_columns import (
    MetricChoice,
    newest_first,
    numeric_keys,
    run_checkpoint_columns,
)
from lazytinker.ui.views.base import fresh_mark
from lazytinker.ui.views.checkpoint_list import CheckpointList


class RunCheckpointsPane(CheckpointList):
    """The checkpoints of one run, newest first while it trains, gone ones said as such."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("F", "follow", "Follow", id="follow"),
        Binding("M", "metric_column", "Metric column", id="metric_column"),
    ]

    def __init__(self, store: Store) -> None:
        self.store = store
        self.metric = MetricChoice()
        self.following = False
        self.run_id: str | None = None
        fresh = fresh_mark(store)

        def mark(key: str, item: Any) -> str | None:
            return "dim" if isinstance(item, GoneCheckpoint) else fresh(key, item)

        table: VirtualTable[Checkpoint] = VirtualTable(
            self._columns(),
            key=lambda c: c.path,
            row_mark=mark,
            empty_text="Press enter on a run to see its checkpoints.",
            id="checkpoints",
        )
        super().__init__("Checkpoints", table, selectable=True, id="checkpoints-pane")

    def _columns(self) -> list[Any]:
        return run_checkpoint_columns(self.store, cols.checkpoint_columns(self.store), self.metric)

    # --- the run shown ---------------------------------------------------------------------

    def active(self) -> bool:
        """Whether the run shown is training now (its log folder, else its last request)."""
        run_id = self.run_id
        if run_id is None:
            return False
        local = self.store.local_run(run_id)
        if local is not None:
            return local.status is Status.RUNNING
        run = self.store.runs.get(run_id)
        return run is not None and run_is_active(run, self.store.moment)

    def before_run(self, run_id: str) -> None:
        """A run is about to be shown: newest first while it is active (or followed)."""
        if run_id != self.run_id:
            self.metric.key = self.metric.best = None
            if self.table.columns[-1].key == "metric":
                self.table.set_columns(self._columns())
        self.run_id = run_id
        newest = self.following or self.active()
        self.table.default_sort = newest_first(self.store) if newest else None

    def sync(self, *, added: bool = False, records: bool = False) -> None:
        """Bring the rows in line after a change: gone rows, the best mark, the followed top.
        `records`: the run's log folder changed (steps and gone rows may have too)."""
        run_id, table = self.run_id, self.table
        if run_id is None:
            return
        if records:
            keyed = self.store.checkpoints.get(run_id)
            if keyed is not None:
                # Same rows, new steps: cells and the newest-first order are made again.
                table.upsert_many(list(keyed.items.values()))
        gone = {row.path: row for row in self.store.gone_checkpoints(run_id)}
        items = table.model.items
        stale = [k for k, v in items.items() if isinstance(v, GoneCheckpoint) and k not in gone]
        if stale:
            table.remove_many(stale)
        fresh_rows = [row for path, row in gone.items() if items.get(path) != row]
        if fresh_rows:
            table.upsert_many(fresh_rows)
        if self.metric.key is not None and self.metric.update_best(self._real_rows()):
            table.invalidate()
        if self.following and (added or fresh_rows) and table.row_count:
            table.move_to(0)
        self.update_title()

    def _real_rows(self) -> list[Checkpoint]:
        return [c for c in self.table.model.items.values() if not isinstance(c, GoneCheckpoint)]

    # --- keys ------------------------------------------------------------------------------

    def action_follow(self) -> None:
        """`F`: follow the newest checkpoint (the top, newest first) as they come; again stops."""
        self.following = not self.following
        table = self.table
        if self.following:
            table.default_sort = newest_first(self.store)
            table.sort_by(None)  # newest first, the cursor on top
        self.update_title()
        self.notify(
            "Following the newest checkpoint." if self.following else "Stopped following.",
            timeout=2,
            markup=False,
        )

    def action_metric_column(self) -> None:
        """`M`: show the next numeric metadata value as a column (the best one starred)."""
        keys = numeric_keys(self._real_rows())
        if not keys:
            self.notify(
                "No checkpoint of this run has a numeric metadata value.", timeout=3, markup=False
            )
            return
        current = self.metric.key
        index = keys.index(current) + 1 if current in keys else 0
        self.metric.key = keys[index] if index < len(keys) else None
        self.metric.update_best(self._real_rows())
        self.table.set_columns(self._columns())
        said = f"Column {self.metric.key}" if self.metric.key else "Metric column hidden"
        self.notify(said, timeout=2, markup=False)

    async def checkpoint_targets(self) -> list[Checkpoint]:
        """The selected or highlighted checkpoints that the server still has."""
        targets = await super().checkpoint_targets()
        kept = [c for c in targets if not isinstance(c, GoneCheckpoint)]
        if targets and not kept:
            self.notify(
                "That checkpoint is no longer on the server (only the local record is left).",
                severity="warning",
                markup=False,
            )
        return kept

    def update_title(self) -> None:
        """The pane's title, saying when it follows the newest checkpoint."""
        super().update_title()
        if self.following:
            self.border_title = Content(f"{self.border_title} · following")
