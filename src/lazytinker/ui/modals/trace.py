"""Asked by `e` on a session: where to save its trace export (a folder, checked as it is typed)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from lazytinker.ui.modals._format import literal
from lazytinker.ui.modals.folder_prompt import FolderPrompt

__all__ = ["TraceModal"]


class TraceModal(FolderPrompt[Path]):
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

    SUBMIT = "export"

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

    def answer(self, folder: Path) -> Path:
        """The folder itself."""
        return folder
