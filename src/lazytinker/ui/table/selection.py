"""Selection over sorted rows: the keys picked with `space` or `*`, kept across filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lazytinker.ui.table.column import Column
from lazytinker.ui.table.rows import SortedRows

T = TypeVar("T")


class SelectableRows(SortedRows[T]):
    """Sorted rows with a selection: a set of keys that outlives filters and re-sorts."""

    def __init__(self, columns: list[Column[T]], *, key: Callable[[T], str]) -> None:
        super().__init__(columns, key=key)
        self.selected: set[str] = set()

    def selected_items(self) -> list[T]:
        """Selected rows that still exist, shown ones in display order, then those the filter
        hides (a filter must not hide a selected row from an action)."""
        shown: list[tuple[int, T]] = []
        hidden: list[T] = []
        for key in self.selected:
            item = self.items.get(key)
            if item is None:
                continue
            index = self._find(key)
            if index is None:
                hidden.append(item)
            else:
                shown.append((self._display(index), item))
        shown.sort(key=lambda pair: pair[0])
        return [item for _, item in shown] + hidden

    def select_shown(self) -> bool:
        """`*`: select every row shown, or unselect them when all are; True if it selected."""
        shown = self.order
        if self.selected.issuperset(shown):
            self.selected.difference_update(shown)
            return False
        self.selected.update(shown)
        return True
