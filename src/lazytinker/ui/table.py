"""A virtual table on Textual's line API, for panes of up to 100,000+ rows.

Why not `DataTable`: Textual 8.2.8's DataTable takes 12.8 s to add 100,000 rows and ~430 ms per
`update_cell` at that size, far beyond the issue's 50 ms key-to-repaint budget.
`textual-fastdatatable` is fast but brings pyarrow (+28 MB, +0.11 s import) and renders markup by
default. This table keeps rows in a dict plus one sorted list of keys (with their sort keys, for
bisection), paints only the lines on screen, caches each row's cells, and applies the store's
diffs in O(log n) lookups (`bisect`) plus one list insert, so a refresh that changes three rows
repaints three lines. A sticky header is line 0 of the same widget.

Server text is painted as plain segments (never parsed as markup) after `printable()`.
"""

from __future__ import annotations

import heapq
import itertools
import operator
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.timer import Timer

from lazytinker.ui.text import printable

T = TypeVar("T")
E = TypeVar("E")

GAP = 1
GUTTER = 2
BAR = 1
"""The scrollbar's width: the table paints its own, in its last column (see `_bar`)."""
WARM_DELAY = 0.3
"""Seconds of quiet after a change of rows before the search texts are lined up (~15 ms for
100,000 rows), so that the first key typed into `/` does not pay for them."""


class _Picked(Sequence[E]):
    """Some elements of a list, by position: what a filter shows of the unfiltered rows.

    Copying the kept rows into lists of their own touched every kept row's object (its
    reference count), scattered over memory: ~30 ms per key for three lists of 100,000 rows,
    against ~3 ms for a list of positions. Read-only; a change of rows copies it out first.
    """

    __slots__ = ("base", "picks")

    def __init__(self, base: list[E], picks: list[int]) -> None:
        self.base = base
        self.picks = picks

    def __len__(self) -> int:
        return len(self.picks)

    def __getitem__(self, index: int) -> E:  # type: ignore[override]
        return self.base[self.picks[index]]

    def __iter__(self) -> Iterator[E]:
        return map(self.base.__getitem__, self.picks)


@dataclass(frozen=True)
class Column(Generic[T]):
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
    cut: Literal["end", "middle"] = "end"
    """Where a too-long value loses characters: ids keep both ends (`54d6…:train:3`)."""


@dataclass(frozen=True, slots=True)
class _Layout:
    columns: tuple[int, ...]
    widths: tuple[int, ...]


def _sort_value(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)


class VirtualTable(ScrollView, Generic[T], can_focus=True):
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

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--cursor-blur",
        "virtual-table--selected",
        "virtual-table--fresh",
        "virtual-table--active",
        "virtual-table--dim",
        "virtual-table--danger",
        "virtual-table--good",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        overflow: hidden hidden;
        background: $surface;
    }
    VirtualTable > .virtual-table--header { text-style: bold; color: $text-accent; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: bold; }
    VirtualTable > .virtual-table--cursor-blur { background: $block-cursor-blurred-background; }
    VirtualTable > .virtual-table--selected { color: $text-warning; text-style: bold; }
    VirtualTable > .virtual-table--fresh { background: $success-muted; }
    VirtualTable > .virtual-table--active { color: $text-success; }
    VirtualTable > .virtual-table--dim { color: $text-muted; }
    VirtualTable > .virtual-table--danger { color: $text-error; }
    VirtualTable > .virtual-table--good { color: $text-success; }
    VirtualTable > .virtual-table--empty { color: $text-muted; text-style: italic; }
    """

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
        super().__init__(name=name, id=id, classes=classes)
        self.columns = columns
        self.key_of = key
        self.row_mark = row_mark
        self.empty_text = empty_text
        self._items: dict[str, T] = {}
        self._seq: dict[str, int] = {}
        self._counter = itertools.count()
        self._order: list[str] | _Picked[str] = []
        self._sort_keys: list[tuple[Any, ...]] | _Picked[tuple[Any, ...]] = []
        self._cells: dict[str, tuple[str, ...]] = {}
        self._search: dict[str, str] = {}
        self.sort_column: str | None = None
        self.default_sort: Callable[[T], Any] | None = None
        """Order when no column is chosen; None keeps the order rows arrived in."""
        self.reverse = False
        self.filter_text = ""
        self.predicate: Callable[[T], bool] | None = None
        self.selected: set[str] = set()
        self._cursor_key: str | None = None
        self._words: list[str] = []
        self._warm_timer: Timer | None = None
        self._full: tuple[list[tuple[Any, ...]], list[str]] | None = None
        """The unfiltered order. With no filter it is the shown lists themselves; under a
        filter it is kept aside, and dropped by a change of rows or of the sort."""
        self._full_texts: list[str] | None = None
        """Search texts in `_full`'s order: a filter scans a list, not 100,000 dict lookups."""
        self._shown_texts: list[str] | None = None
        """Search texts in the shown order, while a one-word filter narrows as it grows."""
        self._cursor = 0
        self._columns_fit: tuple[int, _Layout] | None = None
        self._base_style: Style | None = None
        self._bar_cache: tuple[tuple[int, int, int], list[Segment]] | None = None
        self.on_highlighted: Callable[[VirtualTable[Any], str | None], None] | None = None
        """Called at once when the cursor lands on another row, before `Highlighted` is
        posted: what it repaints (the detail) then goes out in the same frame as the cursor,
        where the message only arrives after that frame and its repaint made a second one."""

    # --- queries ---------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._order)

    @property
    def total_count(self) -> int:
        """Rows held (before the filter)."""
        return len(self._items)

    @property
    def cursor_key(self) -> str | None:
        """Key of the highlighted row."""
        if not self._order:
            return None
        return self._order[self._position(self._cursor)]

    @property
    def cursor_row(self) -> int:
        """Display index of the highlighted row."""
        return self._cursor

    def get(self, key: str) -> T | None:
        """The row with this key (shown or filtered out)."""
        return self._items.get(key)

    def visible_keys(self) -> list[str]:
        """Keys in display order (sorted and filtered)."""
        keys = list(self._order)
        return keys[::-1] if self.reverse else keys

    def selected_items(self) -> list[T]:
        """Selected rows that still exist, shown ones in display order, then those the filter
        hides (a filter must not hide a selected row from an action)."""
        shown: list[tuple[int, T]] = []
        hidden: list[T] = []
        for key in self.selected:
            item = self._items.get(key)
            if item is None:
                continue
            index = self._find(key)
            if index is None:
                hidden.append(item)
            else:
                shown.append((self._display(index), item))
        shown.sort(key=lambda pair: pair[0])
        return [item for _, item in shown] + hidden

    def sum_shown(self, value: Callable[[T], int]) -> int:
        """The sum of `value` over the rows shown (a status line's total size)."""
        return sum(map(value, map(self._items.__getitem__, self._order)))

    def row_text(self, key: str) -> tuple[str, ...]:
        """The cells of one row as shown (for tests and the filter)."""
        return self._cells_of(key)

    # --- structure -------------------------------------------------------------------------

    def _position(self, display: int) -> int:
        return len(self._order) - 1 - display if self.reverse else display

    def _display(self, position: int) -> int:
        return len(self._order) - 1 - position if self.reverse else position

    def _sort_key(self, key: str, item: T) -> tuple[Any, ...]:
        if self.sort_column is None:
            if self.default_sort is not None:
                return (self.default_sort(item), self._seq[key], key)
            return (self._seq[key], key)
        column = self._column(self.sort_column)
        value = column.sort(item) if column.sort else printable(column.render(item))
        return (_sort_value(value), key)

    def _column(self, key: str) -> Column[T]:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def _matches(self, key: str, item: T) -> bool:
        if self.predicate is not None and not self.predicate(item):
            return False
        if not self.filter_text:
            return True
        text = self._text_of(key)
        return all(word in text for word in self._words)

    def _text_of(self, key: str) -> str:
        """A row's search text, made now if its row has none yet."""
        text = self._search.get(key)
        return text if text is not None else self._search_text(key, self._items[key])

    def _search_text(self, key: str, item: T) -> str:
        """What `/` looks in; made when a row arrives, so the first key typed is not the one
        that pays for 100,000 rows."""
        text = " ".join(printable(c.render(item)) for c in self.columns if c.searchable)
        self._search[key] = text = text.casefold()
        return text

    def _cells_of(self, key: str) -> tuple[str, ...]:
        cells = self._cells.get(key)
        if cells is None:
            item = self._items[key]
            cells = tuple(printable(c.render(item)) for c in self.columns)
            self._cells[key] = cells
        return cells

    def _rebuild(self, *, narrowing: bool = False) -> None:
        """Recompute the shown rows. Narrowing (a longer filter) only re-checks what is shown,
        and any filter starts from the unfiltered order, so typing never re-sorts."""
        self._words = self.filter_text.casefold().split()
        if narrowing:
            sort_keys, order = self._sort_keys, self._order
        else:
            sort_keys, order = self._unfiltered()
        predicate = None if narrowing else self.predicate
        if predicate is None and not self._words:
            # No filter: show the unfiltered lists themselves (no copy; they are kept as one).
            self._sort_keys, self._order = sort_keys, order
            self._shown_texts = None
        elif predicate is None and len(self._words) == 1 and self._pickable(narrowing):
            self._pick(self._words[0], narrowing=narrowing)
        elif predicate is None and len(self._words) == 1:
            # Narrowing rows that changed under the filter: the unfiltered order would have to
            # be sorted again first, so the shown rows are narrowed as they are.
            keys_list, order_list = self._lists()
            texts = self._shown_texts or self._texts_of(order_list)
            mask = list(map(operator.contains, texts, itertools.repeat(self._words[0])))
            self._sort_keys = list(itertools.compress(keys_list, mask))
            self._order = list(itertools.compress(order_list, mask))
            self._shown_texts = list(itertools.compress(texts, mask))
        else:
            keep = self._keeper(predicate)
            picked = [i for i, key in enumerate(order) if keep(key)]
            self._sort_keys = [sort_keys[i] for i in picked]
            self._order = [order[i] for i in picked]
            self._shown_texts = None
        self._after_structure(full=True)

    def _pickable(self, narrowing: bool) -> bool:
        """Whether a one-word filter can pick from the unfiltered rows: always, unless it
        narrows rows that changed under the filter (the unfiltered order is then unsorted)."""
        if not narrowing:
            return True
        full, shown = self._full, self._order
        if full is None:
            return False
        return shown is full[1] or (isinstance(shown, _Picked) and shown.base is full[1])

    def _pick(self, word: str, *, narrowing: bool) -> None:
        """One word over the search texts, lined up with the unfiltered rows: the common case,
        run over 100,000 rows per key. map/compress keep the per-row work in C, and what is
        kept is a list of positions (`_Picked`), not copies of the rows."""
        sort_keys, order = self._unfiltered()
        texts = self._unfiltered_texts()
        shown = self._order
        if narrowing and isinstance(shown, _Picked):
            candidates = shown.picks
            mask = list(
                map(operator.contains, map(texts.__getitem__, candidates), itertools.repeat(word))
            )
            picks = candidates if all(mask) else list(itertools.compress(candidates, mask))
        else:
            mask = list(map(operator.contains, texts, itertools.repeat(word)))
            if all(mask):
                self._sort_keys, self._order, self._shown_texts = sort_keys, order, texts
                return
            picks = list(itertools.compress(range(len(order)), mask))
        self._sort_keys, self._order = _Picked(sort_keys, picks), _Picked(order, picks)
        self._shown_texts = None

    def _lists(self) -> tuple[list[tuple[Any, ...]], list[str]]:
        """The shown rows as lists that can change: a filter's picks are copied out first."""
        sort_keys, order = self._sort_keys, self._order
        if isinstance(sort_keys, _Picked):
            sort_keys = self._sort_keys = list(sort_keys)
        if isinstance(order, _Picked):
            order = self._order = list(order)
        return sort_keys, order

    def _unfiltered(self) -> tuple[list[tuple[Any, ...]], list[str]]:
        """The unfiltered order, sorted now if a change dropped it."""
        if self._full is None:
            everything = sorted((self._sort_key(k, item), k) for k, item in self._items.items())
            self._full = ([p[0] for p in everything], [p[1] for p in everything])
            self._full_texts = None
        return self._full

    def _unfiltered_texts(self) -> list[str]:
        """Search texts aligned with the unfiltered order."""
        if self._full_texts is None:
            self._full_texts = self._texts_of(self._unfiltered()[1])
        return self._full_texts

    def _texts_of(self, keys: list[str]) -> list[str]:
        return [self._text_of(key) for key in keys]

    def _rows_changed(self) -> None:
        """Rows were added, removed or moved: re-derive what the filter keeps aside."""
        unfiltered = not self.filter_text and self.predicate is None
        self._full = self._lists() if unfiltered else None
        self._full_texts = None
        self._shown_texts = None

    def _keeper(self, predicate: Callable[[T], bool] | None) -> Callable[[str], bool]:
        """The test of one key against the predicate and several filter words (one word
        without a predicate takes the faster path in `_rebuild`)."""
        items, words, text = self._items, self._words, self._text_of
        if predicate is None:
            return lambda key: all(w in text(key) for w in words)
        return lambda key: predicate(items[key]) and all(w in text(key) for w in words)

    def _warm_full(self) -> None:
        """Line up the search texts while idle, so the first `/` key does not pay for it."""
        self._warm_timer = None
        if self._full is not None:
            self._unfiltered_texts()

    def _after_structure(self, *, full: bool, first_changed: int = 0) -> None:
        """Re-place the cursor on its key, resize, and repaint what may have moved."""
        if self._full is not None and self._full_texts is None and self.is_mounted:
            if self._warm_timer is not None:
                self._warm_timer.stop()
            self._warm_timer = self.set_timer(WARM_DELAY, self._warm_full)
        if self._cursor_key is not None and self._cursor_key in self._items:
            found = self._find(self._cursor_key)
            if found is not None:
                self._cursor = self._display(found)
        self._cursor = max(0, min(self._cursor, len(self._order) - 1))
        new_key = self.cursor_key
        resized = self._resize_virtual()
        if full or first_changed <= self.scroll_offset.y + self.size.height:
            self.refresh()
        elif resized:
            self.refresh(Region(self.size.width - BAR, 0, BAR, self.size.height))
        if new_key != self._cursor_key:
            self._cursor_key = new_key
            self._highlight(new_key)

    def _highlight(self, key: str | None) -> None:
        if self.on_highlighted is not None:
            self.on_highlighted(self, key)
        self.post_message(self.Highlighted(self, key))

    def _find(self, key: str) -> int | None:
        item = self._items.get(key)
        if item is None:
            return None
        sort_key = self._sort_key(key, item)
        index = bisect_left(self._sort_keys, sort_key)
        if index < len(self._order) and self._order[index] == key:
            return index
        return None

    def _remove_at(self, index: int) -> None:
        sort_keys, order = self._lists()
        del order[index]
        del sort_keys[index]

    def set_items(self, items: Iterable[T]) -> None:
        """Replace every row (a scope switch or first load)."""
        self._items.clear()
        self._cells.clear()
        self._search.clear()
        for item in items:
            key = self.key_of(item)
            self._items[key] = item
            self._seq.setdefault(key, next(self._counter))
            self._search_text(key, item)
        self.selected &= set(self._items)
        self._full = None
        self._rebuild()

    def upsert_many(self, items: Iterable[T]) -> None:
        """Add or replace rows; changed rows repaint in place, new rows are merged in."""
        fresh: list[tuple[tuple[Any, ...], str]] = []
        dirty_lines: list[int] = []
        structural = False
        unfiltered_stale = False  # a row the filter hides arrived or moved: `_full` is wrong
        self._lists()
        lowest = len(self._order)
        batch = {self.key_of(item): item for item in items}  # the same key twice: last wins
        for key, item in batch.items():
            old_item = self._items.get(key)
            old_index = self._find(key) if old_item is not None else None
            if old_item is None:
                unfiltered_stale = True
            elif old_index is None and not unfiltered_stale:
                unfiltered_stale = self._sort_key(key, old_item) != self._sort_key(key, item)
            self._items[key] = item
            self._seq.setdefault(key, next(self._counter))
            self._cells.pop(key, None)
            old_text = self._search.get(key)
            if self._search_text(key, item) != old_text:
                self._full_texts = self._shown_texts = None  # lined up again when next needed
            sort_key = self._sort_key(key, item)
            keep = self._matches(key, item)
            if old_index is not None and keep and self._sort_keys[old_index] == sort_key:
                dirty_lines.append(self._display(old_index))
                continue
            if old_index is not None:
                self._remove_at(old_index)
                structural = True
                lowest = min(lowest, old_index)
            if keep:
                fresh.append((sort_key, key))
        if fresh:
            structural = True
            fresh.sort()
            sort_keys, order = self._lists()
            if not sort_keys or fresh[0][0] > sort_keys[-1]:
                # The common case (rows arriving in the order shown): append, no merge.
                lowest = min(lowest, len(order))
                sort_keys.extend(f[0] for f in fresh)
                order.extend(f[1] for f in fresh)
            elif len(fresh) > 32:
                merged = list(heapq.merge(zip(self._sort_keys, self._order, strict=True), fresh))
                self._sort_keys = [m[0] for m in merged]
                self._order = [m[1] for m in merged]
                lowest = min(lowest, bisect_left(self._sort_keys, fresh[0][0]))
            else:
                for sort_key, key in fresh:
                    index = bisect_left(sort_keys, sort_key)
                    sort_keys.insert(index, sort_key)
                    order.insert(index, key)
                    lowest = min(lowest, index)
        if structural or unfiltered_stale:
            self._rows_changed()
        if structural:
            first = 0 if self.reverse else lowest
            self._after_structure(full=False, first_changed=first)
        else:
            for line in dirty_lines:
                self.refresh_row(line)

    def remove_many(self, keys: Iterable[str]) -> None:
        """Remove rows by key."""
        lowest: int | None = None
        for key in keys:
            index = self._find(key)
            if index is not None:
                self._remove_at(index)
                lowest = index if lowest is None else min(lowest, index)
            self._items.pop(key, None)
            self._cells.pop(key, None)
            self._search.pop(key, None)
            self.selected.discard(key)
        self._rows_changed()
        if lowest is not None:
            self._after_structure(full=False, first_changed=0 if self.reverse else lowest)

    def invalidate(self, keys: Iterable[str] | None = None) -> None:
        """Forget cached cells (all, or of some rows) and repaint them (the clock moved on)."""
        if keys is None:
            # The clock moved on: recompute what is on screen and repaint only the rows whose
            # text changed ("8m ago" -> "9m ago"); an idle screen of old rows writes nothing.
            # The search text has no times in it: it stays.
            top = self.scroll_offset.y
            shown = range(top, min(top + max(0, self.size.height - 1), len(self._order)))
            keys_shown = [(d, self._order[self._position(d)]) for d in shown]
            before = {key: self._cells.get(key) for _, key in keys_shown}
            self._cells.clear()
            for display, key in keys_shown:
                old = before[key]
                new = self._cells_of(key)
                if old is None:
                    self.refresh_row(display)
                elif new != old:
                    self._refresh_cells(
                        display,
                        [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b],
                    )
            return
        for key in keys:
            self._cells.pop(key, None)
            index = self._find(key)
            if index is not None:
                self.refresh_row(self._display(index))

    def _refresh_cells(self, display: int, columns: list[int]) -> None:
        """Repaint only some cells of a row: a minute tick rewrites "8m ago", not the line."""
        y = display - self.scroll_offset.y + 1
        if not 1 <= y < self.size.height:
            return
        layout = self._layout(max(0, self.size.width - BAR))
        x = GUTTER
        for column_index, cell_width in zip(layout.columns, layout.widths, strict=True):
            if column_index in columns:
                self.refresh(Region(x, y, cell_width, 1))
            x += cell_width + GAP

    def refresh_row(self, display: int) -> None:
        """Repaint one row if it is on screen."""
        y = display - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def set_filter(self, text: str) -> None:
        """Show only rows whose cells contain every word of `text` (case-insensitive)."""
        if text != self.filter_text:
            old = self.filter_text
            self.filter_text = text
            narrowing = bool(old) and text.startswith(old) and " " not in text[len(old) - 1 :]
            self._rebuild(narrowing=narrowing)

    def set_predicate(self, predicate: Callable[[T], bool] | None) -> None:
        """Show only rows the predicate accepts (a session's runs); None shows all."""
        self.predicate = predicate
        self._rebuild()

    def sort_by(self, column: str | None, *, reverse: bool = False) -> None:
        """Sort by a column (None: the order rows arrived in)."""
        self.sort_column = column
        self.reverse = reverse
        self._full = None
        self._rebuild()
        # A new order is read from its top (the biggest, the oldest): the cursor goes there.
        self.scroll_to(y=0, animate=False, immediate=True)
        self.move_to(0)

    def cycle_sort(self) -> str:
        """`o`: the next column, ascending, then the same column reversed; says what it did."""
        keys = [c.key for c in self.columns]
        if self.sort_column is not None and not self.reverse:
            self.sort_by(self.sort_column, reverse=True)
        else:
            index = -1 if self.sort_column is None else keys.index(self.sort_column)
            self.sort_by(keys[(index + 1) % len(keys)])
        label = self._column(self.sort_column or keys[0]).label
        return f"sorted by {label} {'descending' if self.reverse else 'ascending'}"

    # --- cursor and selection --------------------------------------------------------------

    def move_to(self, display: int) -> None:
        """Put the cursor on a display row and scroll it into view."""
        if not self._order:
            return
        old = self._cursor
        self._cursor = max(0, min(display, len(self._order) - 1))
        self.refresh_row(old)
        self.refresh_row(self._cursor)
        self._scroll_to_cursor()
        key = self.cursor_key
        if key != self._cursor_key:
            self._cursor_key = key
            self._highlight(key)

    def move_to_key(self, key: str) -> bool:
        """Put the cursor on the row with this key, if it is shown."""
        index = self._find(key)
        if index is None:
            return False
        self.move_to(self._display(index))
        return True

    def _scroll_to_cursor(self) -> None:
        rows = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + rows:
            self.scroll_to(y=self._cursor - rows + 1, animate=False, immediate=True)

    def toggle_selected(self) -> None:
        """Select or unselect the highlighted row, then move down."""
        key = self.cursor_key
        if key is None:
            return
        self.selected.symmetric_difference_update({key})
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
        self.move_to(len(self._order) - 1)

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

    def _resize_virtual(self) -> bool:
        """Give the scroll region one line per shown row, plus the header; True if it changed."""
        size = Size(self.size.width, len(self._order) + 1)
        if size == self.virtual_size:
            return False
        # Not `self.virtual_size = size`: that asks Textual for a layout pass, and the row
        # count never changes the table's own box.
        self.set_reactive(VirtualTable.virtual_size, size)
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        return True

    @property
    def allow_vertical_scroll(self) -> bool:
        """The mouse wheel scrolls whenever there is more than a screenful (Textual would only
        let it while Textual's own scrollbar is shown, and the table paints its own)."""
        return not self.disabled and self.max_scroll_y > 0

    def on_resize(self) -> None:
        """Keep the cursor in view after a resize."""
        self._columns_fit = None
        self.virtual_size = Size(self.size.width, len(self._order) + 1)

    def watch_has_focus(self, _focused: bool) -> None:
        """The cursor looks different without focus."""
        self.refresh_row(self._cursor)

    def on_focus(self) -> None:
        """Repaint the cursor in its focused style."""
        self.refresh_row(self._cursor)

    def on_blur(self) -> None:
        """Repaint the cursor in its blurred style."""
        self.refresh_row(self._cursor)

    # --- painting --------------------------------------------------------------------------

    def _layout(self, width: int) -> _Layout:
        if self._columns_fit is not None and self._columns_fit[0] == width:
            return self._columns_fit[1]
        shown = list(range(len(self.columns)))
        available = width - GUTTER - 1

        def need(indices: list[int]) -> int:
            return sum((self.columns[i].width or self.columns[i].min_width) + GAP for i in indices)

        while len(shown) > 1 and need(shown) > available:
            drop = min(shown, key=lambda i: (self.columns[i].priority, -i))
            shown.remove(drop)
        widths = [self.columns[i].width or self.columns[i].min_width for i in shown]
        spare = available - need(shown)
        flexible = [n for n, i in enumerate(shown) if self.columns[i].width is None]
        if spare > 0 and flexible:
            for n in flexible:
                widths[n] += spare // len(flexible)
        elif spare < 0:
            widths[-1] = max(3, widths[-1] + spare)
        layout = _Layout(tuple(shown), tuple(widths))
        self._columns_fit = (width, layout)
        return layout

    def notify_style_update(self) -> None:
        """Styles changed (focus, theme): the cached base style goes with them."""
        self._base_style = None
        self._bar_cache = None
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"virtual-table--{name}")

    def render_line(self, y: int) -> Strip:
        """Paint line `y` of the viewport: the header, a row, or blank; then the scrollbar."""
        base = self._base_style
        if base is None:
            # Walking the ancestors for the style costs more than painting the row itself.
            base = self._base_style = self.rich_style
        width = max(0, self.size.width - BAR)
        line = self._line(y, width, base)
        bar = Segment(" " * BAR, base + self._style("header")) if y == 0 else self._bar(y - 1)
        return Strip([*line, bar], width + BAR)

    def _bar(self, index: int) -> Segment:
        """Cell `index` of the scrollbar beside the rows.

        The table paints its scrollbar itself: Textual's is a widget of its own, repainted a
        frame after the table whenever the table's focus or row count changes (~30 ms later,
        a second write of the same cells).
        """
        track = max(0, self.size.height - 1)
        signature = (track, len(self._order), round(self.scroll_y))
        if self._bar_cache is None or self._bar_cache[0] != signature:
            self._bar_cache = (signature, self._bar_cells(track))
        cells = self._bar_cache[1]
        return cells[index] if index < len(cells) else Segment(" " * BAR)

    def _bar_cells(self, track: int) -> list[Segment]:
        rows = len(self._order)
        if rows <= track:
            # Everything fits: no scrollbar, as Textual's `overflow: auto` would have it.
            return [Segment(" " * BAR, self._base_style)] * track
        styles = self.styles
        back = styles.scrollbar_background
        if back.a < 1:
            back = self.background_colors[0] + back
        rendered = ScrollBarRender.render_bar(
            size=track,
            virtual_size=rows,
            window_size=track,
            position=round(self.scroll_y),
            back_color=back.rich_color,
            bar_color=(back + styles.scrollbar_color).rich_color,
        )
        # Without the meta: it names ScrollBar's own mouse actions, which the table lacks.
        return [
            Segment(c.text, c.style.clear_meta_and_links() if c.style else None)
            for c in rendered.segments
        ]

    def _line(self, y: int, width: int, base: Style) -> Strip:
        """Line `y` without the scrollbar."""
        layout = self._layout(width)
        if y == 0:
            return self._header(layout, width, base)
        display = self.scroll_offset.y + y - 1
        if display >= len(self._order):
            if display == 0 and y == 1:
                text = set_cell_size(f"  {self.empty_text}", width)
                return Strip([Segment(text, base + self._style("empty"))], width)
            return Strip.blank(width, base)
        key = self._order[self._position(display)]
        item = self._items[key]
        cells = self._cells_of(key)
        row_style = base
        mark = self.row_mark(key, item) if self.row_mark else None
        if mark:
            row_style = row_style + self._style(mark)
        is_selected = key in self.selected
        if is_selected:
            row_style = row_style + self._style("selected")
        if display == self._cursor:
            row_style = row_style + self._style("cursor" if self.has_focus else "cursor-blur")
        segments = [Segment("● " if is_selected else "  ", row_style)]
        for column_index, cell_width in zip(layout.columns, layout.widths, strict=True):
            column = self.columns[column_index]
            text = _fit(cells[column_index], cell_width, column.align, column.cut)
            style = row_style
            cell_mark = column.mark(item) if column.mark else None
            if cell_mark and display != self._cursor:
                style = style + self._style(cell_mark)
            segments.append(Segment(text, style))
            segments.append(Segment(" " * GAP, row_style))
        used = sum(s.cell_length for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        # One segment per run of a style, not per cell: every segment costs its own escape
        # sequence on the terminal (a repainted row of plain cells shrinks from ~440 to ~110 bytes).
        return Strip(Segment.simplify(segments)).crop(0, width)

    def _header(self, layout: _Layout, width: int, base: Style) -> Strip:
        style = base + self._style("header")
        segments = [Segment(" " * GUTTER, style)]
        for column_index, cell_width in zip(layout.columns, layout.widths, strict=True):
            column = self.columns[column_index]
            label = column.label
            if column.key == self.sort_column:
                label = f"{label}{'▼' if self.reverse else '▲'}"
            segments.append(Segment(_fit(label, cell_width, column.align), style))
            segments.append(Segment(" " * GAP, style))
        used = sum(s.cell_length for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments).crop(0, width)


def _fit(text: str, width: int, align: str, cut: str = "end") -> str:
    """Pad or cut `text` to exactly `width` cells, with `…` where it was cut."""
    length = cell_len(text)
    if length > width:
        if width <= 0:
            return ""
        if cut == "middle" and width >= 7 and length == len(text):
            tail = (width - 1) // 2
            return text[: width - 1 - tail] + "…" + text[length - tail :]
        return set_cell_size(text, max(0, width - 1)) + "…"
    if align == "right":
        return " " * (width - length) + text
    return text + " " * (width - length)
