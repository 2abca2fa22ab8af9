"""The row model of a table, without Textual: sorted rows, filtered, selected, kept in step
with the store's diffs.

A filter starts from the unfiltered order, kept aside while it is on, so typing never
re-sorts; a longer filter narrows what it already kept; one word keeps positions into the
unfiltered order (`Picked`). Search texts are made when a row arrives and lined up with each
list, so a filter over 100,000 rows scans a list with the per-row work in C (map/compress),
not 100,000 dict lookups. Field terms (`type:sampler`, `size:>1GB`: `query.py`) are tests of the
rows, run with the predicate; a filter of plain words never pays for them.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, TypeVar

from lazytinker.text import printable
from lazytinker.ui.table.column import Column
from lazytinker.ui.table.picked import Picked
from lazytinker.ui.table.query import Field, Query, Test, parse_query
from lazytinker.ui.table.rows import SortKey
from lazytinker.ui.table.selection import SelectableRows

T = TypeVar("T")


class Change(NamedTuple):
    """What a diff did to the display rows."""

    moved: int | None
    """The first display row that may have moved (rows came, went or changed places)."""
    changed: list[int]
    """Display rows changed in place (those after `moved` may have shifted since: the repaint
    from `moved` covers them)."""


class RowModel(SelectableRows[T]):
    """Rows of `T` by key, sorted, filtered by words and a predicate, with a selection."""

    def __init__(self, columns: list[Column[T]], *, key: Callable[[T], str]) -> None:
        super().__init__(columns, key=key)
        self.filter_text = ""
        self.predicate: Callable[[T], bool] | None = None
        self.version = 0
        """Counts every change of rows: what is computed from them (a status line's total
        size) knows when to compute again."""
        self.fields: Mapping[str, Field[T]] = {}
        """The field terms `/` understands on these rows (`type:`, `size:`, ...)."""
        self.extra_text: Callable[[T], str] | None = None
        """More text `/` looks in besides the searchable cells (a row's metadata)."""
        self.query: Query[T] = Query()
        self._search: dict[str, str] = {}
        self._words: list[str] = []
        self._full: tuple[list[SortKey], list[str]] | None = None
        """The unfiltered order. With no filter it is the shown lists themselves; under a
        filter it is kept aside, and dropped by a change of rows or of the sort."""
        self._full_texts: list[str] | None = None
        """Search texts in `_full`'s order: a filter scans a list, not 100,000 dict lookups."""
        self._shown_texts: list[str] | None = None
        """Search texts in the shown order, while a one-word filter narrows as it grows."""

    # --- queries ---------------------------------------------------------------------------

    def sum_shown(self, value: Callable[[T], int]) -> int:
        """The sum of `value` over the rows shown (a status line's total size)."""
        return sum(map(value, map(self.items.__getitem__, self.order)))

    @property
    def cold(self) -> bool:
        """Whether the unfiltered search texts wait to be lined up (`warm`)."""
        return self._full is not None and self._full_texts is None

    def warm(self) -> None:
        """Line up the search texts (~15 ms for 100,000 rows), so that the first key typed
        into `/` does not pay for them."""
        if self._full is not None:
            self._unfiltered_texts()

    # --- changes ---------------------------------------------------------------------------

    def set_items(self, items: Iterable[T]) -> None:
        """Replace every row (a scope switch or first load)."""
        self.version += 1
        self.items.clear()
        self._cells.clear()
        self._search.clear()
        for item in items:
            key = self.key_of(item)
            self.items[key] = item
            self._seq.setdefault(key, next(self._counter))
            self._search_text(key, item)
        self.selected &= set(self.items)
        self._full = None
        self._rebuild()

    def upsert_many(self, items: Iterable[T]) -> Change:
        """Add or replace rows: changed rows stay in place, new rows are merged in."""
        self.version += 1
        fresh: list[tuple[SortKey, str]] = []
        changed: list[int] = []
        structural = False
        unfiltered_stale = False  # a row the filter hides arrived or moved: `_full` is wrong
        self._lists()
        lowest = len(self.order)
        batch = {self.key_of(item): item for item in items}  # the same key twice: last wins
        for key, item in batch.items():
            old_item = self.items.get(key)
            old_index = self._find(key) if old_item is not None else None
            if old_item is None:
                unfiltered_stale = True
            elif old_index is None and not unfiltered_stale:
                unfiltered_stale = self._sort_key(key, old_item) != self._sort_key(key, item)
            self.items[key] = item
            self._seq.setdefault(key, next(self._counter))
            self._cells.pop(key, None)
            old_text = self._search.get(key)
            if self._search_text(key, item) != old_text:
                self._full_texts = self._shown_texts = None  # lined up again when next needed
            sort_key = self._sort_key(key, item)
            keep = self._matches(key, item)
            if old_index is not None and keep and self._sort_keys[old_index] == sort_key:
                changed.append(self._display(old_index))
                continue
            if old_index is not None:
                self._remove_at(old_index)
                structural = True
                lowest = min(lowest, old_index)
            if keep:
                fresh.append((sort_key, key))
        if fresh:
            structural = True
            lowest = min(lowest, self._merge(fresh))
        if structural or unfiltered_stale:
            self._rows_changed()
        if not structural:
            return Change(None, changed)
        return Change(0 if self.reverse else lowest, changed)

    def remove_many(self, keys: Iterable[str]) -> int | None:
        """Remove rows by key; the first display row that moved (None: no shown row went)."""
        self.version += 1
        lowest: int | None = None
        for key in keys:
            index = self._find(key)
            if index is not None:
                self._remove_at(index)
                lowest = index if lowest is None else min(lowest, index)
            self.items.pop(key, None)
            self._cells.pop(key, None)
            self._search.pop(key, None)
            self.selected.discard(key)
        self._rows_changed()
        if lowest is None:
            return None
        return 0 if self.reverse else lowest

    def set_filter(self, text: str) -> bool:
        """Show only rows whose cells contain every word of `text` (case-insensitive) and
        that pass its field terms; False if the filter was that already."""
        if text == self.filter_text:
            return False
        old, had_terms = self.filter_text, self.query.has_terms
        self.filter_text = text
        self.query = parse_query(text, self.fields) if self.fields else Query(words=_words(text))
        # A term typed on is not a narrower filter (`age:<1` -> `age:<10` shows more rows).
        narrowing = (
            bool(old)
            and text.startswith(old)
            and " " not in text[len(old) - 1 :]
            and not had_terms
            and not self.query.has_terms
        )
        self._rebuild(narrowing=narrowing)
        return True

    def set_predicate(self, predicate: Callable[[T], bool] | None) -> None:
        """Show only rows the predicate accepts (a session's runs); None shows all."""
        self.predicate = predicate
        self._rebuild()

    def sort_by(self, column: str | None, *, reverse: bool = False) -> None:
        """Sort by a column (None: `default_sort`, else the order rows arrived in)."""
        self.sort_column = column
        self.reverse = reverse
        self._full = None
        self._rebuild()

    def set_columns(self, columns: list[Column[T]]) -> None:
        """Show other columns (a metric column chosen): cells and search texts are made again;
        a sort by a column that went is dropped."""
        if self.sort_column is not None and all(c.key != self.sort_column for c in columns):
            self.sort_column, self.reverse = None, False
        self.columns = columns
        self._cells.clear()
        self._search.clear()
        self._full = None
        self._rebuild()

    def next_sort(self) -> tuple[str, bool]:
        """`o`'s next order: the same column reversed, after that the next column ascending."""
        if self.sort_column is not None and not self.reverse:
            return self.sort_column, True
        keys = [c.key for c in self.columns]
        index = -1 if self.sort_column is None else keys.index(self.sort_column)
        return keys[(index + 1) % len(keys)], False

    # --- the filter ------------------------------------------------------------------------

    def _unfiltered(self) -> tuple[list[SortKey], list[str]]:
        """The unfiltered order, sorted now if a change dropped it."""
        if self._full is None:
            everything = sorted((self._sort_key(k, item), k) for k, item in self.items.items())
            self._full = ([p[0] for p in everything], [p[1] for p in everything])
            self._full_texts = None
        return self._full

    def _rows_changed(self) -> None:
        """Rows were added, removed or moved: re-derive what the filter keeps aside."""
        unfiltered = not self.filter_text and self.predicate is None
        self._full = self._lists() if unfiltered else None
        self._full_texts = None
        self._shown_texts = None

    def _matches(self, key: str, item: T) -> bool:
        if self.predicate is not None and not self.predicate(item):
            return False
        if not self.filter_text:
            return True
        if not all(test(item) for test in self.query.tests):
            return False
        text = self._text_of(key)
        return all(word in text for word in self._words)

    def _text_of(self, key: str) -> str:
        """A row's search text, made now if its row has none yet."""
        text = self._search.get(key)
        return text if text is not None else self._search_text(key, self.items[key])

    def _search_text(self, key: str, item: T) -> str:
        """What `/` looks in; made when a row arrives, so the first key typed is not the one
        that pays for 100,000 rows. It has no times in it: a tick of the clock keeps it."""
        self._search[key] = text = self._searchable(item)
        return text

    def _searchable(self, item: T) -> str:
        text = " ".join(printable(c.render(item)) for c in self.columns if c.searchable)
        if self.extra_text is not None:
            text += " " + printable(self.extra_text(item))
        return text.casefold()

    def search_is_stale(self, key: str, item: T) -> bool:
        """Whether `/` would look in old text for this row: a searchable cell that reads from
        outside the row (a run's name from its log folder) now reads differently."""
        return self._search.get(key) != self._searchable(item)

    def _texts_of(self, keys: Sequence[str]) -> list[str]:
        return [self._text_of(key) for key in keys]

    def _unfiltered_texts(self) -> list[str]:
        """Search texts aligned with the unfiltered order."""
        if self._full_texts is None:
            self._full_texts = self._texts_of(self._unfiltered()[1])
        return self._full_texts

    def _rebuild(self, *, narrowing: bool = False) -> None:
        """Recompute the shown rows. Narrowing (a longer filter) only re-checks what is shown,
        and any filter starts from the unfiltered order, so typing never re-sorts."""
        self._words = list(self.query.words)
        if narrowing:
            sort_keys, order = self._sort_keys, self.order
        else:
            sort_keys, order = self._unfiltered()
        predicate = None if narrowing else _all_of(self.predicate, self.query.tests)
        if predicate is None and not self._words:
            # No filter: show the unfiltered lists themselves (no copy; they are kept as one).
            self._sort_keys, self.order = sort_keys, order
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
            self.order = list(itertools.compress(order_list, mask))
            self._shown_texts = list(itertools.compress(texts, mask))
        else:
            keep = self._keeper(predicate)
            picked = [i for i, key in enumerate(order) if keep(key)]
            self._sort_keys = [sort_keys[i] for i in picked]
            self.order = [order[i] for i in picked]
            self._shown_texts = None

    def _pickable(self, narrowing: bool) -> bool:
        """Whether a one-word filter can pick from the unfiltered rows: always, unless it
        narrows rows that changed under the filter (the unfiltered order is then unsorted)."""
        if not narrowing:
            return True
        full, shown = self._full, self.order
        if full is None:
            return False
        return shown is full[1] or (isinstance(shown, Picked) and shown.base is full[1])

    def _pick(self, word: str, *, narrowing: bool) -> None:
        """One word over the search texts, lined up with the unfiltered rows: the common case,
        run over 100,000 rows per key. map/compress keep the per-row work in C, and what is
        kept is a list of positions (`Picked`), not copies of the rows."""
        sort_keys, order = self._unfiltered()
        texts = self._unfiltered_texts()
        shown = self.order
        if narrowing and isinstance(shown, Picked):
            candidates = shown.picks
            mask = list(
                map(operator.contains, map(texts.__getitem__, candidates), itertools.repeat(word))
            )
            picks = candidates if all(mask) else list(itertools.compress(candidates, mask))
        else:
            mask = list(map(operator.contains, texts, itertools.repeat(word)))
            if all(mask):
                self._sort_keys, self.order, self._shown_texts = sort_keys, order, texts
                return
            picks = list(itertools.compress(range(len(order)), mask))
        self._sort_keys, self.order = Picked(sort_keys, picks), Picked(order, picks)
        self._shown_texts = None

    def _keeper(self, predicate: Callable[[T], bool] | None) -> Callable[[str], bool]:
        """The test of one key against the predicate and several filter words (one word
        without a predicate takes the faster path in `_rebuild`)."""
        items, words, text = self.items, self._words, self._text_of
        if predicate is None:
            return lambda key: all(w in text(key) for w in words)
        return lambda key: predicate(items[key]) and all(w in text(key) for w in words)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.casefold().split())


def _all_of(predicate: Callable[[T], bool] | None, tests: Sequence[Test[T]]) -> Test[T] | None:
    """One test of a row: the table's predicate and every field term."""
    if not tests:
        return predicate
    checks = (predicate, *tests) if predicate is not None else tuple(tests)
    return lambda item: all(check(item) for check in checks)
