"""The TTL modal: type `12h`, `7d`, `1y` or `never`, see the new expiry date as you type."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from lazytinker.store.ttl import VALID_RANGE, TtlChoice, TtlError, parse_ttl
from lazytinker.ui.modals._format import expiry_after, human_age, human_date, literal


class TtlModal(ModalScreen[TtlChoice | None]):
    """Asks for a new TTL for one or more checkpoints; answers a `TtlChoice`, or None if cancelled.

    Bad input (`0`, `-3d`, `11y`, `banana`) is refused inline with the valid range; the modal stays.
    """

    DEFAULT_CSS = """
    TtlModal {
        align: center middle;
    }
    TtlModal > #dialog {
        width: 100;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }
    TtlModal #title {
        text-style: bold;
        margin-top: 1;
    }
    TtlModal #targets {
        height: auto;
        max-height: 25vh;
        margin-bottom: 1;
    }
    TtlModal #preview {
        margin-top: 1;
        height: auto;
    }
    TtlModal #preview.-error {
        color: $error;
    }
    TtlModal #buttons {
        height: auto;
        margin: 1 0;
        align-horizontal: right;
    }
    TtlModal #buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.escape"),
    ]

    AUTO_FOCUS = "#ttl"

    def __init__(self, targets: list[str], *, now: datetime, title: str | None = None) -> None:
        super().__init__()
        self.targets = list(targets)
        self._now = now
        self._title = title
        """Said instead of "Set the TTL of N checkpoints" (`targets` are then lines of text)."""

    def compose(self) -> ComposeResult:
        """Title, the checkpoints concerned, the input, the live preview and the buttons."""
        count = len(self.targets)
        title = self._title or (
            "Set the TTL of" + (" this checkpoint" if count == 1 else f" {count} checkpoints")
        )
        with Vertical(id="dialog"):
            yield Static(Content(title), id="title", markup=False)
            with VerticalScroll(id="targets"):
                yield Static(Content("\n").join(map(literal, self.targets)), markup=False)
            yield Input(placeholder="12h, 7d, 90d, 1y, 3600 or never", id="ttl")
            yield Static(Content(f"A TTL is {VALID_RANGE}."), id="preview", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Set TTL", variant="primary", id="set")
                yield Button("Cancel", id="cancel")

    @on(Input.Changed, "#ttl")
    def _typed(self, event: Input.Changed) -> None:
        if not event.value.strip():
            self._show(Content(f"A TTL is {VALID_RANGE}."), error=False)
            return
        self._preview(event.value)

    @on(Input.Submitted, "#ttl")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    @on(Button.Pressed, "#set")
    def _set_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit(self.query_one("#ttl", Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)

    def _submit(self, text: str) -> None:
        choice = self._preview(text)
        if choice is not None:
            self.dismiss(choice)

    def _preview(self, text: str) -> TtlChoice | None:
        """Show what `text` would do; return the choice it makes, or None if it is refused."""
        try:
            seconds = parse_ttl(text)
        except TtlError as error:
            self._show(Content(str(error)), error=True)
            self.query_one("#ttl", Input).focus()
            return None
        if seconds is None:
            self._show(Content("The expiry will be removed: never expires."), error=False)
        else:
            expires = expiry_after(self._now, seconds)
            when = human_age(expires, self._now)
            self._show(Content(f"New expiry: {human_date(expires)} ({when})"), error=False)
        return TtlChoice(seconds)

    def _show(self, message: Content, *, error: bool) -> None:
        preview = self.query_one("#preview", Static)
        preview.update(message)
        preview.set_class(error, "-error")
