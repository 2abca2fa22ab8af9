"""The run rows' checkpoint count, size and monthly cost: columns, and keeping them current.

The store counts each run's checkpoints (`store.run_totals`); the runs pane asks it to count the
runs on screen and, when it announces new counts, repaints those rows. The columns read a
snapshot that only `update` changes: the row model finds a row by its sort value, so a value
that moved under a sort by size must be re-sorted in the same step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lazytinker.api.models import TrainingRun
from lazytinker.store import RunTotal, Store
from lazytinker.ui import format as fmt
from lazytinker.ui.cost import usd
from lazytinker.ui.table import Column, VirtualTable

TOTAL_COLUMNS = ("ckpts", "total", "cost")


class RunTotalColumns:
    """Count, size and $/month columns of the runs table, from a snapshot of the store's."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.shown: dict[str, RunTotal] = {}

    def total(self, run: TrainingRun) -> RunTotal | None:
        """The count the row shows (None: not counted yet)."""
        return self.shown.get(run.training_run_id)

    def _cost(self, run: TrainingRun) -> float | None:
        total = self.total(run)
        return None if total is None else self.store.money.monthly(total.size_bytes)

    def columns(self) -> list[Column[TrainingRun]]:
        """Ckpts, Size, $/mo (`…` until counted, `-` without a storage rate)."""

        def count(run: TrainingRun) -> str:
            total = self.total(run)
            return "…" if total is None else str(total.count)

        def size(run: TrainingRun) -> str:
            total = self.total(run)
            return "…" if total is None else fmt.size(total.size_bytes)

        def cost(run: TrainingRun) -> str:
            if self.total(run) is None:
                return "…"
            amount = self._cost(run)
            return "-" if amount is None else usd(amount)

        def count_of(run: TrainingRun) -> int | None:
            total = self.total(run)
            return None if total is None else total.count

        def size_of(run: TrainingRun) -> int | None:
            total = self.total(run)
            return None if total is None else total.size_bytes

        return [
            Column("ckpts", "Ckpts", count, width=5, align="right", searchable=False,
                   sort=count_of, priority=5),
            Column("total", "Size", size, width=8, align="right", searchable=False,
                   sort=size_of, priority=7),
            Column("cost", "$/mo", cost, width=7, align="right", searchable=False,
                   sort=self._cost, priority=2),
        ]  # fmt: skip

    def update(self, table: VirtualTable[Any], run_ids: Iterable[str]) -> None:
        """Take the store's new counts of some runs and repaint their rows (re-sorting when
        the table is sorted by one of these columns)."""
        changed: list[str] = []
        for run_id in run_ids:
            new = self.store.run_totals.get(run_id)
            if new == self.shown.get(run_id):
                continue
            if new is None:
                self.shown.pop(run_id, None)
            else:
                self.shown[run_id] = new
            changed.append(run_id)
        if not changed:
            return
        if table.sort_column in TOTAL_COLUMNS:
            table.resort()
        else:
            table.invalidate(changed)
