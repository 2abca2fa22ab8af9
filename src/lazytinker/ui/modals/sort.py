"""The `o` menu: the columns a pane can be sorted by, each one letter away (`o s`: biggest first),
`o` again reverses the order shown. Picking the column already sorted by flips its direction.

It answers `SortChoice(column, reverse)`, or None when cancelled (esc).
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_lowercase
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lazytinker.ui.table import Column

RESERVED = frozenset("jko")
"""Letters the menu keeps for itself: j/k move, o reverses."""


@dataclass(frozen=True, slots=True)
class SortChoice:
    """A column and a direction."""

    column: str
    reverse: bool


def letters_for(labels: list[str]) -> list[str]:
    """A distinct letter per label: its first free letter, else any free letter."""
    taken: set[str] = set(RESERVED)
    chosen: list[str] = []
    for label in labels:
        candidates = [c for c in label.lower() if c in ascii_lowercase] + list(ascii_lowercase)
        letter = next(c for c in candidates if c not in taken)
        taken.add(letter)
        chosen.append(letter)
    return chosen


def first_order(column: Column[Any], current: str | None, reverse: bool) -> bool:
    """The direction picking `column` sorts in: its natural one (biggest, newest, A to Z), or
    the other way round when it is already the order."""
    if column.key == current:
        return not reverse
    return column.first_reverse


class SortMenu(ModalScreen[SortChoice | None]):
    """Pick the column to sort by; the current order is marked."""

    DEFAULT_CSS = """
    SortMenu { align: center middle; }
    SortMenu > #dialog { width: 56; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
        border-subtitle-color: $text; }
    SortMenu #sort-columns { height: auto; max-height: 20; border: none; padding: 0; }
    SortMenu #sort-columns:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="sort_menu.cancel"),
        Binding("o", "reverse", "Reverse", id="sort_menu.reverse"),
        Binding("j", "move(1)", "Down", show=False, id="sort_menu.down"),
        Binding("k", "move(-1)", "Up", show=False, id="sort_menu.up"),
        # One letter per column (assigned when the menu opens): `pick` reads which.
        *(
            Binding(letter, f"pick('{letter}')", "", show=False)
            for letter in ascii_lowercase
            if letter not in RESERVED
        ),
    ]

    def __init__(
        self,
        columns: list[Column[Any]],
        current: str | None,
        reverse: bool,
        *,
        default_order: str = "",
    ) -> None:
        super().__init__()
        self.default_order = default_order or "the order the rows came in"
        self.columns = [c for c in columns if c.label]
        self.current = current
        self.reverse = reverse
        self.letters = letters_for([c.label for c in self.columns])

    def compose(self) -> ComposeResult:
        """The title and one line per column: its letter, its name, what picking it does."""
        options = []
        for letter, column in zip(self.letters, self.columns, strict=True):
            then = column.order_words(first_order(column, self.current, self.reverse))
            mark = "● " if column.key == self.current else "  "
            prompt = Content.assemble(
                (f"{letter}  ", "bold $text-accent"), mark, (f"{column.label:<14}", "bold"), then
            )
            options.append(Option(prompt, id=column.key))
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Sort by"
            dialog.border_subtitle = Content(" a letter picks · o reverses · esc cancels ")
            yield Static(Content(self._now_text()), id="sort-now", markup=False)
            yield OptionList(*options, id="sort-columns")

    def _now_text(self) -> str:
        for column in self.columns:
            if column.key == self.current:
                return f"Now: {column.label}, {column.order_words(self.reverse)}."
        return f"Now: {self.default_order}."

    def on_mount(self) -> None:
        """Highlight the current column."""
        listing = self.query_one(OptionList)
        keys = [c.key for c in self.columns]
        listing.highlighted = keys.index(self.current) if self.current in keys else 0
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """`enter` on a column."""
        event.stop()
        self._choose(event.option.id or "")

    def action_pick(self, letter: str) -> None:
        """A column's letter."""
        if letter in self.letters:
            self._choose(self.columns[self.letters.index(letter)].key)

    def action_reverse(self) -> None:
        """`o` again: the same column, the other way round."""
        if self.current is None:
            self._choose(self.columns[0].key)
            return
        self.dismiss(SortChoice(self.current, not self.reverse))

    def action_move(self, step: int) -> None:
        """`j`/`k`: move the highlight."""
        listing = self.query_one(OptionList)
        listing.action_cursor_down() if step > 0 else listing.action_cursor_up()

    def action_cancel(self) -> None:
        """Keep the order as it is."""
        self.dismiss(None)

    def _choose(self, key: str) -> None:
        column = next(c for c in self.columns if c.key == key)
        self.dismiss(SortChoice(key, first_order(column, self.current, self.reverse)))
