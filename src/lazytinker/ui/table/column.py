"""One column of a table: how a row's cell reads, sorts and lays out. No Textual, no rich."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")


class Column(msgspec.Struct, Generic[T], frozen=True):
    """One column: how to show a row's cell, how to sort by it, and how to lay it out."""

    key: str
    label: str
    render: Callable[[T], str]
    width: int | None = None
    """Fixed width in cells; None = flexible (takes what is left, at least `min_width`)."""
    min_width: int = 8
    align: Literal["left", "right"] = "left"
    sort: Callable[[T], Any] | None = None
    """Sort value (None: the rendered text). None values sort first."""
    priority: int = 0
    """When the table is too narrow, the lowest priority columns are hidden first."""
    mark: Callable[[T], str | None] | None = None
    """Name of a component style (`active`, `dim`, `danger`, `good`) for this cell, or None."""
    searchable: bool = True
    """Whether `/` looks in this column (sizes and relative times are not worth the cost)."""
    cut: Literal["end", "middle", "path"] = "end"
    """Where a too-long value loses characters: ids keep both ends (`54d6…:train:3`), paths
    and model names their last parts (`…/step-000160`, `…/Llama-3.1-8B`)."""
    first_reverse: bool = False
    """Whether `o` sorts this column descending first (sizes: biggest first; times: newest)."""
    orders: tuple[str, str] | None = None
    """How a title says this column's order, ascending then descending (`oldest first`,
    `newest first`); None: `by Label ▲`."""
    shown: Callable[[], bool] | None = None
    """Whether the column is laid out at all (a project column only where runs have one);
    None: always."""

    def order_words(self, reverse: bool) -> str:
        """What a title says when the rows are sorted by this column."""
        if self.orders is not None:
            return self.orders[1 if reverse else 0]
        return f"by {self.label} {'▼' if reverse else '▲'}"
