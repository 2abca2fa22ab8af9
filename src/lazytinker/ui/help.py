"""The `?` help screen: the keys that work where it was opened from, as currently mapped.

The rows come from the screen's active bindings, which follow focus: on a checkpoint they include
publish, TTL, delete and save; on a session, export trace; and so on.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA = [
    ("ctrl+p", "Command palette: every action and view that works here"),
    ("enter", "Open: a session's runs, a run's checkpoints"),
    ("1-7", "Views: browse, all checkpoints, samplers, models, storage, billing, audit log"),
]


class HelpScreen(ModalScreen[None]):
    """A list of keys and what they do; any of esc, q, ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="close_help"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        """The key table."""
        seen: set[str] = set()
        parts: list[str | tuple[str, str]] = []
        for key, description in [*self.rows, *EXTRA]:
            if description in seen:
                continue
            seen.add(description)
            parts += [(f"{key:>14}", "bold $text-accent"), f"  {description}\n"]
        with VerticalScroll() as scroll:
            scroll.border_title = Content("Keys (remap them in the config file's [keys] table)")
            yield Static(Content.assemble(*parts), markup=False)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
