"""A titled pane around one `VirtualTable`: counts in the title, `/` filter, `o` sort, `space`,
`esc`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from lazytinker.ui.collector import CollectorHold
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.text import printable

if TYPE_CHECKING:
    from lazytinker.ui.modals.sort import SortChoice


class Pane(Vertical):
    """A border with a title and counts, a table, an error line and a filter box."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("o", "sort", "Sort", id="sort"),
        Binding("space", "select", "Select", id="select"),
        Binding("asterisk", "select_all", "Select all shown", show=False, id="select_all"),
        # The screen's: it clears this pane's filter, else goes back a level. Declared with the
        # pane's keys so the key bar lists it with them, before the view's own keys.
        Binding("escape", "screen.back", "Back", id="back"),
    ]

    HELP_ROWS = "On these rows"
    """The `?` help's title for the keys that act on this pane's rows."""

    DEFAULT_CSS = """
    Pane { border: round $panel-lighten-2; height: 1fr; }
    Pane:focus-within { border: round $accent; }
    Pane > .pane--error { color: $text-error; height: auto; display: none; }
    Pane > .pane--error.-shown { display: block; }
    Pane > Input.pane--filter { width: 1fr; padding: 0 1; }
    Pane > Input.pane--filter.-bad-term { background-tint: $error 30%; }
    """

    def __init__(
        self,
        title: str,
        table: VirtualTable[Any],
        *,
        selectable: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.table = table
        self.selectable = selectable
        self.scope = ""
        self.default_order = ""
        """What the title says of the order before a column is chosen (`newest first`)."""
        self._fetching = False
        self.on_changed: Callable[[], None] | None = None
        """Called as soon as a filter, a sort or the selection has changed what is shown: the
        screen's status line then repaints in the same frame as the rows, not one message
        round later."""
        self.error_line = Static("", classes="pane--error", markup=False)
        # Always on screen, never shown and hidden: a box that comes and goes changes the
        # table's height, and a resized table costs a layout pass and frames of its own.
        self.filter_box = Input(placeholder="/ filter", compact=True, classes="pane--filter")
        self._collector = CollectorHold(self)

    def compose(self) -> ComposeResult:
        """An error line (hidden), the table and the filter line."""
        yield self.error_line
        yield self.table
        yield self.filter_box

    def on_mount(self) -> None:
        """Show the initial title; filter on each change of the filter box's value."""
        self.update_title()
        # A watcher, not the box's Changed message: it runs inside the key's own handling, so
        # the rows are repainted in the same frame as the typed character. Filtering on the
        # message drew the character in one frame and the rows in a second, ~30 ms later.
        self.watch(self.filter_box, "value", self._filter_typed, init=False)

    def update_title(self) -> None:
        """`Training runs · session x (12 of 48) · biggest first /filter · 3 selected`."""
        table = self.table
        shown, total = table.row_count, table.total_count
        counts = f"{shown}" if shown == total else f"{shown} of {total}"
        parts = [self.title]
        if self.scope:
            parts.append(f"· {self.scope}")
        parts.append(f"({counts})")
        order = self.order_words()
        if order:
            parts.append(f"· {order}")
        if table.filter_text:
            parts.append(f"/{printable(table.filter_text)}")
        selected = len(table.selected)
        if selected:
            parts.append(f"· {selected} selected")
        if self.fetching:
            parts.append("· loading…")
        # A Content, not a str: a str title is parsed as markup, and scopes hold server text.
        self.border_title = Content(" ".join(parts))

    @property
    def fetching(self) -> bool:
        """Rows are on their way (the title says `loading…`, an empty table `Loading…`).

        Not Textual's `loading`: that hides the rows behind a spinner until the last page,
        where a pane should show the first page at once and say in its title that more come.
        """
        return self._fetching

    @fetching.setter
    def fetching(self, value: bool) -> None:
        self._fetching = value
        self.table.set_empty_state(loading=value)

    def order_words(self) -> str:
        """The order the rows are really in, as the title says it."""
        table = self.table
        if table.sort_column is None:
            return self.default_order
        return table.model.column(table.sort_column).order_words(table.reverse)

    def highlighted(self) -> Any:
        """The row under the cursor (None when the table is empty)."""
        key = self.table.cursor_key
        return self.table.get(key) if key is not None else None

    def changed(self) -> None:
        """Tell the screen that what this pane shows changed (see `on_changed`)."""
        if self.on_changed is not None:
            self.on_changed()

    def set_error(self, message: str | None, *, said_above: bool = False) -> None:
        """Show (or clear) a one-line error for this pane; the rest of the app keeps working.

        `said_above`: the whole server is in trouble and the screen's banner says so once, so
        the pane does not repeat it; its empty table says where to look instead.
        """
        shown = None if said_above else message
        self.error_line.update(Content(printable(shown or "")))
        self.error_line.set_class(bool(shown), "-shown")
        if message is None:
            self.table.set_empty_state(problem=None)
        else:
            self.table.set_empty_state(problem="Not loaded: see above." if said_above else "")

    def action_filter(self) -> None:
        """Type into the filter line."""
        self.filter_box.placeholder = "filter (enter keeps it, esc clears)"
        self.filter_box.value = self.table.filter_text
        self.filter_box.focus()

    def clear_filter(self) -> bool:
        """Drop the filter; True if there was one."""
        had = bool(self.table.filter_text) or self.filter_box.has_focus
        self.filter_box.value = ""
        self.filter_box.placeholder = "/ filter"
        self.table.set_filter("")
        self.show_filter_problems()
        self.update_title()
        return had

    def on_unmount(self) -> None:
        """Never leave the collector off behind a pane that is gone."""
        self._collector.release()

    def _filter_typed(self, value: str) -> None:
        """Filter as the user types."""
        self._collector.hold()
        self.table.set_filter(value.strip())
        self.show_filter_problems()
        self.update_title()
        self.changed()

    def show_filter_problems(self) -> None:
        """A field term that does not parse (`size:>1XB`) is said under the filter line, and
        the line turns red: it matches no row, it is never silently ignored."""
        problems = self.table.model.query.problems if self.table.filter_text else ()
        if not problems and not self.filter_box.has_class("-bad-term"):
            return  # the common case; and a view's own subtitle (storage's total) stays
        text = "✗ " + "; ".join(problems) if problems else ""
        self.border_subtitle = Content(text)
        self.filter_box.set_class(bool(problems), "-bad-term")

    def on_input_changed(self, event: Input.Changed) -> None:
        """The filter box's changes are handled by `_filter_typed`; they go no further."""
        event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Keep the filter and go back to the table."""
        event.stop()
        if not event.value.strip():
            self.filter_box.placeholder = "/ filter"
        self.table.focus()

    def action_sort(self) -> None:
        """`o`: the columns to sort by, each a letter away; `o` again reverses."""
        from lazytinker.ui.modals.sort import SortMenu

        table = self.table
        menu = SortMenu(
            table.columns, table.sort_column, table.reverse, default_order=self.default_order
        )
        self.app.push_screen(menu, self._sorted)

    def _sorted(self, choice: SortChoice | None) -> None:
        if choice is None:
            return
        self.table.sort_by(choice.column, reverse=choice.reverse)
        self.update_title()
        self.changed()

    def action_select(self) -> None:
        """Select or unselect the highlighted row."""
        if self.selectable:
            self.table.toggle_selected()
            self.update_title()
            self.changed()

    def action_select_all(self) -> None:
        """`*`: select every row the filter shows; again: unselect them."""
        if self.selectable:
            self.table.select_shown()
            self.update_title()
            self.changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`space` and `*` only where rows can be selected."""
        if action in ("select", "select_all"):
            return self.selectable
        return super().check_action(action, parameters)
