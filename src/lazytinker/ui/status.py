"""The status line above the key bar: what a selection would free, the size of what is shown,
or the progress of a bulk action.

The main screen tells it which table is in use (`follow`) and when the store's operation moved
(`show_operation`); the line works out what to say and repaints only when that changed.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from lazytinker.api.models import Checkpoint
from lazytinker.store import Store
from lazytinker.ui import format as fmt
from lazytinker.ui.cost import selection_line
from lazytinker.ui.keys import key_for
from lazytinker.ui.table import VirtualTable

SIZE_DELAY = 0.3
"""Seconds of quiet before the shown rows' sizes are summed (see `follow`)."""


def _checkpoint_size(item: Any) -> int:
    return (item.size_bytes or 0) if isinstance(item, Checkpoint) else 0


class StatusLine(Static):
    """One line: progress of a bulk action, what the selection would free, or a hint."""

    def __init__(self, store: Store | None, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.store = store
        self._said: tuple[str, bool] | None = None
        self._table: VirtualTable[Any] | None = None
        self._checkpoints = False
        self._size_cache: dict[int, tuple[tuple[Any, ...], int]] = {}
        self._size_timer: Timer | None = None

    def say(self, text: str, *, busy: bool = False) -> None:
        """Show a line of plain text."""
        if (text, busy) == self._said:
            return
        self._said = (text, busy)
        # Fixed height: no layout pass (it would repaint far more than this line).
        self.update(Content(text), layout=False)
        self.set_class(busy, "-busy")

    def follow(
        self, table: VirtualTable[Any] | None, *, checkpoints: bool, text: str | None = None
    ) -> None:
        """Say what the table in use shows: a checkpoint list's selection or shown size, the
        pane's own `text`, else a hint. A bulk action in progress keeps the line until done."""
        self._table, self._checkpoints = table, checkpoints
        operation = self.store.operation if self.store is not None else None
        if operation is not None and not operation.finished:
            return
        key = self._key
        if text is not None:
            self.say(text)
        elif table is not None and checkpoints and table.selected:
            self.say(selection_line(self.store, table.selected_items(), key))
        elif table is not None and checkpoints and table.total_count:
            size = self._shown_size(table, compute=False)
            if size is None:
                # Summing 100,000 sizes on every key typed into a filter would eat the
                # latency budget: the sum comes a moment later, once the typing pauses.
                if self._size_timer is not None:
                    self._size_timer.stop()
                self._size_timer = self.set_timer(SIZE_DELAY, self._say_size_later)
            self.say(
                f"{table.row_count:,} shown"
                f" · {'…' if size is None else fmt.size(size)}"
                f" · {key('select', 'space')} select · {key('sort_size', 'S')} biggest"
                f" · {key('sort_age', 'A')} oldest"
            )
        else:
            hints = [f"{key('filter', '/')} filter", f"{key('sort', 'o')} sort"]
            if table is not None and table.check_action("activate", ()):
                hints.insert(0, f"{key('activate', 'enter')} opens")
            hints += [f"{key('zoom_detail', 'z')} zoom", f"{key('help', '?')} help"]
            self.say(" · ".join(hints))

    def _key(self, binding_id: str, default: str) -> str:
        """The key that runs a binding here, as the user mapped it (the status line must not
        name a key that a remap has moved)."""
        return key_for(self.screen, binding_id, default)

    def show_operation(self) -> None:
        """Say how far the store's bulk action has got (`Deleting: 3/5, 1 failed · done`)."""
        operation = self.store.operation if self.store is not None else None
        if operation is None:
            return
        failed = len(operation.failures)
        text = f"{operation.label}: {operation.done}/{operation.total}"
        if failed:
            text += f", {failed} failed"
        if operation.slowed:
            text += " · the server asked to slow down"
        if operation.finished:
            text += " · cancelled" if operation.skipped else " · done"
        elif operation.cancelling:
            text += " · cancelling (the calls in flight finish)"
        else:
            text += f" · {self._key('cancel_bulk', 'X')} cancels"
        self.say(text, busy=not operation.finished)

    def _say_size_later(self) -> None:
        self._size_timer = None
        if self._table is not None and self._checkpoints:
            self._shown_size(self._table)
            self.follow(self._table, checkpoints=True)

    def _shown_size(self, table: VirtualTable[Any], *, compute: bool = True) -> int | None:
        """Total size of the rows shown, computed once per change of what is shown; None when
        it is not known yet and `compute` is off."""
        signature = (
            table.model.version,
            table.row_count,
            table.filter_text,
            id(table.predicate),
        )
        cached = self._size_cache.get(id(table))
        if cached is not None and cached[0] == signature:
            return cached[1]
        if not compute:
            return None
        total = table.sum_shown(_checkpoint_size)
        self._size_cache[id(table)] = (signature, total)
        return total
