"""A scrolling view that paints a row model on Textual's line API.

Only the lines on screen are painted, from each row's cached cells; the header is line 0 of
the same widget, and the scrollbar is painted in the last column (see `_bar`). A change
repaints what it touched: one line, some cells of one line, or the lines from the first that
moved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lazytinker.ui.table.empty import EmptyLine
from lazytinker.ui.table.model import RowModel
from lazytinker.ui.table.paint import (
    BAR,
    GAP,
    GUTTER,
    Layout,
    fit_columns,
    header_strip,
    row_strip,
    scrollbar_cells,
)

T = TypeVar("T")


class Keep:
    """The type of `KEEP`: leave that setting as it is."""


KEEP = Keep()


class TableView(ScrollView, Generic[T]):
    """Paints a `RowModel`'s display rows under a sticky header, with a cursor line."""

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
    TableView {
        height: 1fr;
        overflow: hidden hidden;
        background: $surface;
    }
    TableView > .virtual-table--header { text-style: bold; color: $text-accent; }
    TableView > .virtual-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: bold; }
    TableView > .virtual-table--cursor-blur { background: $block-cursor-blurred-background; }
    TableView > .virtual-table--selected { color: $text-warning; text-style: bold; }
    TableView > .virtual-table--fresh { background: $success-muted; }
    TableView > .virtual-table--active { color: $text-success; }
    TableView > .virtual-table--dim { color: $text-muted; }
    TableView > .virtual-table--danger { color: $text-error; }
    TableView > .virtual-table--good { color: $text-success; }
    TableView > .virtual-table--empty { color: $text-muted; text-style: italic; }
    """

    def __init__(
        self,
        model: RowModel[T],
        *,
        row_mark: Callable[[str, T], str | None] | None = None,
        empty_text: str = "Nothing here.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model = model
        self.row_mark = row_mark
        """Name of a component style for a whole row (`fresh`), or None."""
        self.empty = EmptyLine(empty_text)
        """What the table says when it shows no row."""
        self._cursor = 0
        """The display row of the cursor."""
        self._cursor_key: str | None = None
        """The key of the cursor's row, which the cursor follows when rows move."""
        self._columns_fit: tuple[int, Layout] | None = None
        self._base_style: Style | None = None
        self._bar_cache: tuple[tuple[int, int, int], list[Segment]] | None = None

    # --- the cursor ------------------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        """Key of the highlighted row."""
        return self.model.key_at(self._cursor) if self.model.order else None

    @property
    def cursor_row(self) -> int:
        """Display index of the highlighted row."""
        return self._cursor

    def move_to(self, display: int) -> None:
        """Put the cursor on a display row and scroll it into view."""
        if not self.model.order:
            return
        old = self._cursor
        self._cursor = max(0, min(display, self.model.row_count - 1))
        self.refresh_row(old)
        self.refresh_row(self._cursor)
        self._scroll_to_cursor()
        key = self.cursor_key
        if key != self._cursor_key:
            self._cursor_key = key
            self._highlight(key)

    def move_to_key(self, key: str) -> bool:
        """Put the cursor on the row with this key, if it is shown."""
        display = self.model.display_of(key)
        if display is None:
            return False
        self.move_to(display)
        return True

    def _place_cursor(self, first_moved: int | None) -> None:
        """After a change of the shown rows: put the cursor back on its key (or the nearest
        row), resize, and repaint from the first display row that moved (None: all)."""
        if self._cursor_key is not None:
            found = self.model.display_of(self._cursor_key)
            if found is not None:
                self._cursor = found
        self._cursor = max(0, min(self._cursor, self.model.row_count - 1))
        new_key = self.cursor_key
        self._repaint_moved(first_moved)
        if new_key != self._cursor_key:
            self._cursor_key = new_key
            self._highlight(new_key)

    def _highlight(self, key: str | None) -> None:
        """The cursor landed on another row (None: no rows); the table tells the screen."""

    def _scroll_to_cursor(self) -> None:
        rows = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + rows:
            self.scroll_to(y=self._cursor - rows + 1, animate=False, immediate=True)

    # --- repainting ------------------------------------------------------------------------

    def refresh_row(self, display: int) -> None:
        """Repaint one row if it is on screen."""
        y = display - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

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

    def _repaint_cells_on_screen(self) -> None:
        """The clock moved on: remake every row's cells, repaint only the cells on screen whose
        text changed ("8m ago" -> "9m ago"); an idle screen of old rows writes nothing."""
        top = self.scroll_offset.y
        shown = range(top, min(top + max(0, self.size.height - 1), self.model.row_count))
        changes = self.model.remake_cells([self.model.key_at(d) for d in shown])
        for display, columns in zip(shown, changes, strict=True):
            if columns is None:
                self.refresh_row(display)
            elif columns:
                self._refresh_cells(display, columns)

    def _repaint_moved(self, first_moved: int | None) -> None:
        """Resize to the rows shown and repaint from the first row that moved (None: all)."""
        resized = self._resize_virtual()
        if first_moved is None or first_moved <= self.scroll_offset.y + self.size.height:
            self.refresh()
        elif resized:
            self.refresh(Region(self.size.width - BAR, 0, BAR, self.size.height))

    def _resize_virtual(self) -> bool:
        """Give the scroll region one line per shown row, plus the header; True if it changed."""
        size = Size(self.size.width, self.model.row_count + 1)
        if size == self.virtual_size:
            return False
        # Not `self.virtual_size = size`: that asks Textual for a layout pass, and the row
        # count never changes the table's own box.
        self.set_reactive(TableView.virtual_size, size)
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
        self.virtual_size = Size(self.size.width, self.model.row_count + 1)

    def watch_has_focus(self, _focused: bool) -> None:
        """The cursor looks different without focus."""
        self.refresh_row(self._cursor)

    def on_focus(self) -> None:
        """Repaint the cursor in its focused style."""
        self.refresh_row(self._cursor)

    def on_blur(self) -> None:
        """Repaint the cursor in its blurred style."""
        self.refresh_row(self._cursor)

    def set_empty_state(
        self, *, loading: bool | None = None, problem: str | None | Keep = KEEP
    ) -> None:
        """Say that rows are loading, or why they could not be (None: no problem; "": the pane
        says it already); the empty line is repainted when it changed."""
        empty = self.empty
        before = (empty.loading, empty.problem)
        if loading is not None:
            empty.loading = loading
        if not isinstance(problem, Keep):
            empty.problem = problem
        if (empty.loading, empty.problem) != before and not self.model.row_count:
            self.refresh()

    # --- painting --------------------------------------------------------------------------

    def _layout(self, width: int) -> Layout:
        if self._columns_fit is not None and self._columns_fit[0] == width:
            return self._columns_fit[1]
        layout = fit_columns(self.model.columns, width)
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
        signature = (track, self.model.row_count, round(self.scroll_y))
        if self._bar_cache is None or self._bar_cache[0] != signature:
            styles = self.styles
            back = styles.scrollbar_background
            if back.a < 1:
                back = self.background_colors[0] + back
            colors = (back.rich_color, (back + styles.scrollbar_color).rich_color)
            cells = scrollbar_cells(track, signature[1], signature[2], colors, self._base_style)
            self._bar_cache = (signature, cells)
        cells = self._bar_cache[1]
        return cells[index] if index < len(cells) else Segment(" " * BAR)

    def _line(self, y: int, width: int, base: Style) -> Strip:
        """Line `y` without the scrollbar."""
        model = self.model
        layout = self._layout(width)
        if y == 0:
            sort = (model.sort_column, model.reverse)
            return header_strip(model.columns, layout, width, base + self._style("header"), sort)
        display = self.scroll_offset.y + y - 1
        if display >= len(model.order):
            if display == 0 and y == 1:
                said = self.empty.says(model.total_count, model.filter_text, width - 2)
                text = set_cell_size(f"  {said}", width)
                return Strip([Segment(text, base + self._style("empty"))], width)
            return Strip.blank(width, base)
        key = model.key_at(display)
        item = model.items[key]
        row_style = base
        mark = self.row_mark(key, item) if self.row_mark else None
        if mark:
            row_style = row_style + self._style(mark)
        is_selected = key in model.selected
        if is_selected:
            row_style = row_style + self._style("selected")
        on_cursor = display == self._cursor
        if on_cursor:
            row_style = row_style + self._style("cursor" if self.has_focus else "cursor-blur")
        row: tuple[Any, tuple[str, ...]] = (item, model.cells_of(key))
        return row_strip(
            model.columns,
            layout,
            width,
            row,
            row_style,
            selected=is_selected,
            on_cursor=on_cursor,
            style=self._style,
        )
