"""The table the panes use: a row model, painted, with a cursor, keys, mouse and messages.

Why not `DataTable`: Textual 8.2.8's DataTable takes 12.8 s to add 100,000 rows and ~430 ms per
`update_cell` at that size, far beyond the issue's 50 ms key-to-repaint budget.
`textual-fastdatatable` is fast but brings pyarrow (+28 MB, +0.11 s import) and renders markup by
default. Here the rows live in a `RowModel` (no Textual), which answers each change with the
display rows it touched, and the view repaints just those: a refresh that changes three rows
repaints three lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.timer import Timer

from lazytinker.ui.table.column import Column
from lazytinker.ui.table.model import RowModel
from lazytinker.ui.table.paint import BAR
from lazytinker.ui.table.view import TableView

T = TypeVar("T")

WARM_DELAY = 0.3
"""Seconds of quiet after a change of rows before the search texts are lined up (~15 ms for
100,000 rows), so that the first key typed into `/` does not pay for them."""


class VirtualTable(TableView[T], can_focus=True):
    """Rows of `T` by key, sorted, filtered, with a cursor, selection marks and row marks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("g,home", "top", "Top", show=False, id="top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="bottom"),
        Binding("enter", "activate", "Open", id="activate"),
    ]

    class Highlighted(Message):
        """The cursor moved to another row (key None: the table is empty)."""

        def __init__(self, table: VirtualTable[Any], key: str | None) -> None:
            self.table = table
            self.key = key
            super().__init__()

        @property
        def control(self) -> VirtualTable[Any]:
            """The table that sent it."""
            return self.table

    class Activated(Message):
        """`enter` on a row."""

        def __init__(self, table: VirtualTable[Any], key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

        @property
        def control(self) -> VirtualTable[Any]:
            """The table that sent it."""
            return self.table

    def __init__(
        self,
        columns: list[Column[T]],
        *,
        key: Callable[[T], str],
        row_mark: Callable[[str, T], str | None] | None = None,
        empty_text: str = "Nothing here.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        model = RowModel(columns, key=key)
        super().__init__(
            model, row_mark=row_mark, empty_text=empty_text, name=name, id=id, classes=classes
        )
        self._warm_timer: Timer | None = None
        self.activatable = False
        """Whether `enter` does something on these rows (open a session, a run, a sampler's
        checkpoint); where it does not, the key is not offered."""
        self.on_highlighted: Callable[[VirtualTable[Any], str | None], None] | None = None
        """Called at once when the cursor lands on another row, before `Highlighted` is
        posted: what it repaints (the detail) then goes out in the same frame as the cursor,
        where the message only arrives after that frame and its repaint made a second one."""

    # --- the model's state -----------------------------------------------------------------

    @property
    def columns(self) -> list[Column[T]]:
        """The columns, in order."""
        return self.model.columns

    @property
    def key_of(self) -> Callable[[T], str]:
        """A row's key."""
        return self.model.key_of

    @property
    def sort_column(self) -> str | None:
        """The column sorted by (None: `default_sort`, else the order rows arrived in)."""
        return self.model.sort_column

    @property
    def reverse(self) -> bool:
        """Whether the sort runs backwards."""
        return self.model.reverse

    @property
    def default_sort(self) -> Callable[[T], Any] | None:
        """Order when no column is chosen; None keeps the order rows arrived in."""
        return self.model.default_sort

    @default_sort.setter
    def default_sort(self, value: Callable[[T], Any] | None) -> None:
        self.model.default_sort = value

    @property
    def filter_text(self) -> str:
        """The words a row must contain to be shown."""
        return self.model.filter_text

    @property
    def predicate(self) -> Callable[[T], bool] | None:
        """The test a row must pass to be shown (a session's runs), or None."""
        return self.model.predicate

    @property
    def selected(self) -> set[str]:
        """Keys of the selected rows (the set itself: clear it to unselect all)."""
        return self.model.selected

    # --- queries ---------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return self.model.row_count

    @property
    def total_count(self) -> int:
        """Rows held (before the filter)."""
        return self.model.total_count

    def get(self, key: str) -> T | None:
        """The row with this key (shown or filtered out)."""
        return self.model.items.get(key)

    def visible_keys(self) -> list[str]:
        """Keys in display order (sorted and filtered)."""
        return self.model.visible_keys()

    def selected_items(self) -> list[T]:
        """Selected rows that still exist, shown ones in display order, then hidden ones."""
        return self.model.selected_items()

    def sum_shown(self, value: Callable[[T], int]) -> int:
        """The sum of `value` over the rows shown (a status line's total size)."""
        return self.model.sum_shown(value)

    def row_text(self, key: str) -> tuple[str, ...]:
        """The cells of one row as shown (for tests and the filter)."""
        return self.model.cells_of(key)

    # --- changes ---------------------------------------------------------------------------

    def set_items(self, items: Iterable[T]) -> None:
        """Replace every row (a scope switch or first load)."""
        self.model.set_items(items)
        self._after_structure(None)

    def upsert_many(self, items: Iterable[T]) -> None:
        """Add or replace rows; changed rows repaint in place, new rows are merged in."""
        change = self.model.upsert_many(items)
        # Repainted on their own: a move that starts below the screen repaints nothing on it.
        for line in change.changed:
            self.refresh_row(line)
        if change.moved is not None:
            self._after_structure(change.moved)

    def remove_many(self, keys: Iterable[str]) -> None:
        """Remove rows by key."""
        moved = self.model.remove_many(keys)
        if moved is not None:
            self._after_structure(moved)

    def invalidate(self, keys: Iterable[str] | None = None) -> None:
        """Forget cached cells (all, or of some rows) and repaint them (the clock moved on)."""
        if keys is None:
            self._repaint_cells_on_screen()
            return
        for key in keys:
            self.model.forget_cells((key,))
            display = self.model.display_of(key)
            if display is not None:
                self.refresh_row(display)

    def set_columns(self, columns: list[Column[T]]) -> None:
        """Show other columns; every row is painted again."""
        self.model.set_columns(columns)
        self._columns_fit = None
        self._after_structure(None)

    def set_filter(self, text: str) -> None:
        """Show only rows whose cells contain every word of `text` (case-insensitive)."""
        if self.model.set_filter(text):
            self._after_structure(None)

    def set_predicate(self, predicate: Callable[[T], bool] | None) -> None:
        """Show only rows the predicate accepts (a session's runs); None shows all."""
        self.model.set_predicate(predicate)
        self._after_structure(None)

    def sort_by(self, column: str | None, *, reverse: bool = False) -> None:
        """Sort by a column (None: the order rows arrived in)."""
        self.model.sort_by(column, reverse=reverse)
        self._after_structure(None)
        # A new order is read from its top (the biggest, the oldest): the cursor goes there.
        self.scroll_to(y=0, animate=False, immediate=True)
        self.move_to(0)

    def resort(self) -> None:
        """Sort again by the same column (its values changed outside the rows: a run's
        count); the cursor stays on its row."""
        self.model.sort_by(self.model.sort_column, reverse=self.model.reverse)
        self._after_structure(None)

    def select_shown(self) -> None:
        """`*`: select every row shown, or unselect them when all are selected."""
        self.model.select_shown()
        self.refresh()

    def rows_on_screen(self) -> list[str]:
        """Keys of the rows on screen now (what is worth counting, reading, painting)."""
        top = self.scroll_offset.y
        end = min(self.model.row_count, top + max(0, self.size.height - 1))
        return [self.model.key_at(display) for display in range(top, end)]

    def _after_structure(self, first_moved: int | None) -> None:
        """After a change of the shown rows: line up the search texts when idle, re-place the
        cursor, repaint from the first display row that moved (None: everything)."""
        if self.model.cold and self.is_mounted:
            if self._warm_timer is not None:
                self._warm_timer.stop()
            self._warm_timer = self.set_timer(WARM_DELAY, self._warm)
        self._place_cursor(first_moved)

    def _warm(self) -> None:
        """Line up the search texts while idle, so the first `/` key does not pay for it."""
        self._warm_timer = None
        self.model.warm()

    def _highlight(self, key: str | None) -> None:
        """Tell the screen the cursor is on another row: at once, then by message."""
        if self.on_highlighted is not None:
            self.on_highlighted(self, key)
        self.post_message(self.Highlighted(self, key))

    # --- cursor and selection --------------------------------------------------------------

    def toggle_selected(self) -> None:
        """Select or unselect the highlighted row, then move down."""
        key = self.cursor_key
        if key is None:
            return
        self.model.selected.symmetric_difference_update({key})
        self.refresh_row(self._cursor)
        self.move_to(self._cursor + 1)

    def action_cursor_down(self) -> None:
        """Move down a row."""
        self.move_to(self._cursor + 1)

    def action_cursor_up(self) -> None:
        """Move up a row."""
        self.move_to(self._cursor - 1)

    def action_page_down(self) -> None:
        """Move down a screen."""
        self.move_to(self._cursor + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        """Move up a screen."""
        self.move_to(self._cursor - max(1, self.size.height - 2))

    def action_top(self) -> None:
        """Go to the first row."""
        self.move_to(0)

    def action_bottom(self) -> None:
        """Go to the last row."""
        self.move_to(self.model.row_count - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`enter` only where it opens something."""
        if action == "activate":
            return self.activatable
        return super().check_action(action, parameters)

    def action_activate(self) -> None:
        """Open the highlighted row."""
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Activated(self, key))

    def on_click(self, event: Click) -> None:
        """A click highlights a row (a double click opens it); on the scrollbar it jumps
        there."""
        track = self.size.height - 1
        if event.x >= self.size.width - BAR and event.y >= 1 and self.max_scroll_y:
            share = (event.y - 1) / max(1, track - 1)
            self.scroll_to(y=round(share * self.max_scroll_y), animate=False, immediate=True)
            return
        if event.y >= 1:
            self.move_to(self.scroll_offset.y + event.y - 1)
            if event.chain >= 2:
                self.action_activate()
