"""`y`: copy the highlighted row's path or id to the clipboard (OSC 52: works over SSH)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget

from lazytinker.ui.text import printable

COPY_PATH = Binding("y", "copy_path", "Copy path", id="copy_path")


class CopyPathKey(Widget):
    """Mixin for a pane whose rows have a path or id worth pasting elsewhere: `y` copies
    what `copy_text` gives for the highlighted row.

    List it after the Textual base class (Textual takes CSS from the first base only), and put
    `COPY_PATH` in the class's own `BINDINGS`, where it shows in the key bar's order."""

    def copy_text(self) -> str | None:
        """The text `y` copies now (None: nothing highlighted)."""
        return None

    def action_copy_path(self) -> None:
        """Copy the highlighted path or id, and say what was copied."""
        text = self.copy_text()
        if text is None:
            self.notify("Nothing to copy here.", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {printable(text)}", timeout=3, markup=False)
