"""Asked by `e` on a session: where to save its trace export (a folder, checked as it is typed)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from lazytinker.ui.modals._format import literal
from lazytinker.ui.modals.download import destination_problem

__all__ = ["TraceModal"]


class TraceModal(ModalScreen[Path | None]):
    """Answers the folder to save a session's trace into, or None when cancelled."""

    DEFAULT_CSS = """
    TraceModal {
        align: center middle;
    }
    TraceModal > #dialog {
        width: 90;
        max-width: 95%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    TraceModal #title {
        text-style: bold;
    }
    TraceModal #problem {
        color: $error;
        height: auto;
    }
    TraceModal #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    TraceModal #buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.escape"),
    ]

    AUTO_FOCUS = "#directory"

    def __init__(self, session_id: str, *, directory: str) -> None:
        super().__init__()
        self.session_id = session_id
        self._directory = directory

    def compose(self) -> ComposeResult:
        """Title, what happens, the folder, the buttons."""
        with Vertical(id="dialog"):
            yield Static(
                Content("Export the trace of session ") + literal(self.session_id),
                id="title",
                markup=False,
            )
            yield Static(
                Content(
                    "The server builds the trace first (this can take a while); it is then saved "
                    "as SESSION.pftrace in this folder:"
                ),
                markup=False,
            )
            yield Input(self._directory, placeholder="folder to save into", id="directory")
            yield Static(Content(""), id="problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    @on(Input.Changed, "#directory")
    def _typed(self, event: Input.Changed) -> None:
        self._show(destination_problem(event.value))

    @on(Input.Submitted, "#directory")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#export")
    def _export(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#directory", Input).value
        problem = destination_problem(text)
        if problem is not None:
            self._show(problem)
            return
        self.dismiss(Path(text.strip()).expanduser())

    def _show(self, problem: str | None) -> None:
        self.query_one("#problem", Static).update(Content(problem or ""))
