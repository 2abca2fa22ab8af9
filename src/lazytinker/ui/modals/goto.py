"""The `:` prompt: type a `tinker://` or `hpcai://` path to jump to that checkpoint, or a run's
id or name (its log folder's, its session's) to open that run."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from lazytinker.api.paths import CheckpointRef, InvalidPathError
from lazytinker.ui.text import literal


class GotoModal(ModalScreen[str | None]):
    """Asks for a checkpoint path; answers it (stripped, known to parse), or None if cancelled.

    A path that does not parse gets the parser's one-line message inline and the prompt stays.
    Whether the checkpoint exists is for the caller to find out.
    """

    DEFAULT_CSS = """
    GotoModal {
        align: center top;
    }
    GotoModal > #dialog {
        width: 90;
        max-width: 95%;
        height: auto;
        margin-top: 3;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    GotoModal #error {
        color: $error;
        height: auto;
    }
    GotoModal #error.-hidden {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.escape"),
    ]

    AUTO_FOCUS = "#path"

    def __init__(self, find_run: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.find_run = find_run
        """Finds the run a typed id or name stands for (None: paths only)."""

    def compose(self) -> ComposeResult:
        """A title, the input and a line for the error."""
        with Vertical(id="dialog") as dialog:
            dialog.border_subtitle = Content(" enter goes there · esc cancels ")
            title = "Go to checkpoint" if self.find_run is None else "Go to checkpoint or run"
            yield Static(Content(title), id="title", markup=False)
            yield Input(
                placeholder="tinker://RUN_ID/weights/NAME or hpcai://RUN_ID/training/NAME"
                + ("" if self.find_run is None else ", or a run's id or name"),
                id="path",
            )
            yield Static("", id="error", classes="-hidden", markup=False)

    @on(Input.Changed, "#path")
    def _typed(self, event: Input.Changed) -> None:
        # An old error about a previous attempt would mislead while the user is fixing it.
        self.query_one("#error", Static).add_class("-hidden")

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._error("Enter a tinker:// or hpcai:// checkpoint path, or press esc.")
            return
        if self.find_run is not None and "://" not in text:
            if self.find_run(text) is None:
                self._error(f"No run is named {text!r} (or several are): type more of it.")
                return
            self.dismiss(text)
            return
        try:
            CheckpointRef.parse(text)
        except InvalidPathError as error:
            self._error(str(error))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Close without going anywhere."""
        self.dismiss(None)

    def _error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(literal(message))
        error.remove_class("-hidden")
