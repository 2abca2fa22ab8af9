"""Rows by key in one sorted order, found by bisection. No Textual, no rich.

Rows live in a dict by key beside one sorted list of keys and a list of their sort keys, so a
row is found, removed or inserted in O(log n) lookups (`bisect`) plus one list operation:
a store's diff that changes three rows touches three rows. Display rows count from the top of
the table; with `reverse` they run the sorted list backwards.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from lazytinker.text import printable
from lazytinker.ui.table.column import Column
from lazytinker.ui.table.picked import Picked

T = TypeVar("T")

SortKey = tuple[Any, ...]


def _sort_value(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)


class SortedRows(Generic[T]):
    """Rows of `T` by key, the shown ones in one sorted order, with their cells as shown."""

    def __init__(self, columns: list[Column[T]], *, key: Callable[[T], str]) -> None:
        self.columns = columns
        self.key_of = key
        self.items: dict[str, T] = {}
        self.order: list[str] | Picked[str] = []
        """Keys of the shown rows, ascending by sort key (read backwards when `reverse`)."""
        self._sort_keys: list[SortKey] | Picked[SortKey] = []
        self._seq: dict[str, int] = {}
        """The order rows arrived in: the sort when no column is chosen."""
        self._counter = itertools.count()
        self._cells: dict[str, tuple[str, ...]] = {}
        self.sort_column: str | None = None
        self.default_sort: Callable[[T], Any] | None = None
        """Order when no column is chosen; None keeps the order rows arrived in."""
        self.reverse = False

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self.order)

    @property
    def total_count(self) -> int:
        """Rows held (before the filter)."""
        return len(self.items)

    def key_at(self, display: int) -> str:
        """The key of a display row (which must exist)."""
        return self.order[len(self.order) - 1 - display if self.reverse else display]

    def display_of(self, key: str) -> int | None:
        """The display row of a key, None if it is not shown."""
        index = self._find(key)
        return None if index is None else self._display(index)

    def visible_keys(self) -> list[str]:
        """Keys in display order (sorted and filtered)."""
        keys = list(self.order)
        return keys[::-1] if self.reverse else keys

    def column(self, key: str) -> Column[T]:
        """The column with this key."""
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    # --- cells -----------------------------------------------------------------------------

    def cells_of(self, key: str) -> tuple[str, ...]:
        """The cells of one row as shown, made printable once and kept until forgotten."""
        cells = self._cells.get(key)
        if cells is None:
            item = self.items[key]
            cells = tuple(printable(c.render(item)) for c in self.columns)
            self._cells[key] = cells
        return cells

    def forget_cells(self, keys: Iterable[str]) -> None:
        """Forget the cached cells of some rows (they are made again when next shown)."""
        for key in keys:
            self._cells.pop(key, None)

    def remake_cells(self, keys: list[str]) -> list[list[int] | None]:
        """Forget every cached cell and remake those of `keys` (the rows on screen): for
        each, the columns whose text changed, None if it had no cells yet."""
        before = [self._cells.get(key) for key in keys]
        self._cells.clear()
        changes: list[list[int] | None] = []
        for key, old in zip(keys, before, strict=True):
            new = self.cells_of(key)
            changes.append(
                None
                if old is None
                else [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            )
        return changes

    # --- the sorted lists ------------------------------------------------------------------

    def _display(self, position: int) -> int:
        return len(self.order) - 1 - position if self.reverse else position

    def _sort_key(self, key: str, item: T) -> SortKey:
        if self.sort_column is None:
            if self.default_sort is not None:
                return (self.default_sort(item), self._seq[key], key)
            return (self._seq[key], key)
        column = self.column(self.sort_column)
        value = column.sort(item) if column.sort else printable(column.render(item))
        return (_sort_value(value), key)

    def _find(self, key: str) -> int | None:
        """The position of a shown row in the sorted lists."""
        item = self.items.get(key)
        if item is None:
            return None
        index = bisect_left(self._sort_keys, self._sort_key(key, item))
        if index < len(self.order) and self.order[index] == key:
            return index
        return None

    def _lists(self) -> tuple[list[SortKey], list[str]]:
        """The shown rows as lists that can change: a filter's picks are copied out first."""
        sort_keys, order = self._sort_keys, self.order
        if isinstance(sort_keys, Picked):
            sort_keys = self._sort_keys = list(sort_keys)
        if isinstance(order, Picked):
            order = self.order = list(order)
        return sort_keys, order

    def _remove_at(self, index: int) -> None:
        sort_keys, order = self._lists()
        del order[index]
        del sort_keys[index]

    def _merge(self, fresh: list[tuple[SortKey, str]]) -> int:
        """Merge new shown rows into the sorted lists; the lowest position that changed."""
        fresh.sort()
        sort_keys, order = self._lists()
        if not sort_keys or fresh[0][0] > sort_keys[-1]:
            # The common case (rows arriving in the order shown): append, no merge.
            lowest = len(order)
            sort_keys.extend(f[0] for f in fresh)
            order.extend(f[1] for f in fresh)
        elif len(fresh) > 32:
            merged = list(heapq.merge(zip(sort_keys, order, strict=True), fresh))
            self._sort_keys = sort_keys = [m[0] for m in merged]
            self.order = [m[1] for m in merged]
            lowest = bisect_left(sort_keys, fresh[0][0])
        else:
            lowest = len(order)
            for sort_key, key in fresh:
                index = bisect_left(sort_keys, sort_key)
                sort_keys.insert(index, sort_key)
                order.insert(index, key)
                lowest = min(lowest, index)
        return lowest
