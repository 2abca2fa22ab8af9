"""The TTL modal: type `12h`, `7d`, `1y` or `never`, see the new expiry date as you type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from lazytinker import human
from lazytinker.store.ttl import VALID_RANGE, TtlChoice, TtlError, parse_ttl
from lazytinker.ui.modals._format import expiry_after, human_age, human_date, literal
from lazytinker.ui.modals.confirm import SHORT
from lazytinker.ui.modals.widgets import PathText

HINT = " enter sets · esc cancels "


def _current(when: datetime | None, now: datetime) -> str:
    """A target's expiry as it is now: `no expiry`, `expires in 13d`, `expired`."""
    if when is None:
        return "no expiry"
    said = human.expires(when, now)
    return said if said == "expired" else f"expires {said}"


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
    TtlModal > #dialog {
        border-subtitle-color: $text;
        border-subtitle-align: left;
    }
    TtlModal.-short #title { margin-top: 0; }
    TtlModal.-short #targets { max-height: 20vh; margin-bottom: 0; }
    TtlModal.-short #preview { margin-top: 0; }
    TtlModal.-short #buttons { margin: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.escape"),
    ]

    AUTO_FOCUS = "#ttl"

    def __init__(
        self,
        targets: list[str],
        *,
        now: datetime,
        expiries: Sequence[datetime | None] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.targets = list(targets)
        self._now = now
        self.expiries = list(expiries) if expiries is not None else None
        """Each target's expiry now (None: never), shown beside it; None: not known."""
        self._title = title
        """Said instead of "Set the TTL of N checkpoints" (`targets` are then lines of text)."""

    def compose(self) -> ComposeResult:
        """Title, the checkpoints concerned, the input, the live preview and the buttons."""
        count = len(self.targets)
        title = self._title or (
            "Set the TTL of" + (" this checkpoint" if count == 1 else f" {count} checkpoints")
        )
        with Vertical(id="dialog") as dialog:
            dialog.border_subtitle = Content(HINT)
            yield Static(Content(title), id="title", markup=False)
            with VerticalScroll(id="targets"):
                yield PathText(self._listing(), id="listing")
            yield Input(placeholder="12h, 7d, 90d, 1y, 3600 or never", id="ttl")
            yield Static(Content(f"A TTL is {VALID_RANGE}."), id="preview", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Set TTL", variant="primary", id="set")
                yield Button("Cancel", id="cancel")

    def _listing(self) -> Content:
        """The targets, each with the expiry it has now (`never`, `in 13d`), when known."""
        if self.expiries is None:
            return Content("\n").join(map(literal, self.targets))
        lines = []
        for path, when in zip(self.targets, self.expiries, strict=True):
            now = "never" if when is None else human_age(when, self._now)
            lines.append(
                Content.assemble(("now ", "dim"), (f"{now:<8}", "bold"), "  ", literal(path))
            )
        return Content("\n").join(lines)

    def on_resize(self, event: Resize) -> None:
        """On a short terminal the list gives way to the input and the buttons."""
        self.set_class(event.size.height < SHORT, "-short")

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
