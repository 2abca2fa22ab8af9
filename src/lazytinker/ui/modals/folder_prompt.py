"""A modal that asks for a folder: checked as it is typed, refused inline, answered on enter.

The download modal and the trace export share it; each says what its answer is (`answer`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

_Answer = TypeVar("_Answer")


def destination_problem(text: str) -> str | None:
    """Why `text` cannot be a download folder, or None when it can (created if missing)."""
    if not text.strip():
        return "Type the folder to save into."
    folder = Path(text.strip()).expanduser()
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return f"{folder} cannot be created."
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is a file, not a folder."
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable."
    return None


class FolderPrompt(ModalScreen[_Answer | None], Generic[_Answer]):
    """Owns the `#directory` input, the `#problem` line, the `#cancel` button and the button
    whose id is `SUBMIT`; a subclass composes them and turns the folder into its answer."""

    SUBMIT: ClassVar[str] = "ok"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.escape"),
    ]
    AUTO_FOCUS = "#directory"

    def answer(self, folder: Path) -> _Answer:
        """What the modal answers for an accepted folder."""
        raise NotImplementedError

    @on(Input.Changed, "#directory")
    def _typed(self, event: Input.Changed) -> None:
        self._show_problem(destination_problem(event.value))

    @on(Input.Submitted, "#directory")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.SUBMIT:
            event.stop()
            self._submit()
        elif event.button.id == "cancel":
            event.stop()
            self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)

    def _submit(self) -> None:
        directory = self.query_one("#directory", Input)
        problem = destination_problem(directory.value)
        if problem is not None:
            self._show_problem(problem)
            directory.focus()
            return
        self.dismiss(self.answer(Path(directory.value.strip()).expanduser()))

    def _show_problem(self, problem: str | None) -> None:
        self.query_one("#problem", Static).update(Content(problem or ""))
