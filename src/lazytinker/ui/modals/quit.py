"""Asked when `q` is pressed while downloads are running: quit anyway, or stay (the default)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from lazytinker.ui.modals._format import literal
from lazytinker.ui.modals.confirm import YesNoModal

__all__ = ["QuitModal"]

_SHOWN = 6


class QuitModal(YesNoModal):
    """Lists what is running and says that the partial files are kept for next time."""

    def __init__(self, running: list[tuple[str, str]], folder: str) -> None:
        count = len(running)
        title = f"{count} download{'s are' if count != 1 else ' is'} still running. Quit anyway?"
        super().__init__(title, confirm_label="Quit", cancel_label="Stay")
        self.running = running
        self.folder = folder

    def compose_body(self) -> ComposeResult:
        """Each download and where it stands, then what happens to the partial files."""
        lines = [literal(label) + Content(f"  ({state})") for label, state in self.running[:_SHOWN]]
        if len(self.running) > _SHOWN:
            lines.append(Content(f"… and {len(self.running) - _SHOWN} more"))
        with VerticalScroll(id="body-scroll"):
            yield Static(Content("\n").join(lines), id="running", markup=False)
        note = (
            "The partial files are kept (as .part files) and resume next time: when lazytinker "
            "starts again, unfinished downloads in " + self.folder + " are listed in the "
            "downloads view (D), ready to resume with r; the same `lazytinker download` command "
            "resumes them too."
        )
        yield Static(literal(note), id="note", markup=False)
