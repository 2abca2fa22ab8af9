"""A yes/no confirmation whose default answer is No (design.md §4, issue 6)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from lazytinker.ui.modals._format import literal
from lazytinker.ui.modals.widgets import PathText

HINT = " y yes · n/esc no "
SHORT = 30
"""Rows below which a modal is on a short terminal (80×24): its lists give way to its buttons."""


def as_content(text: Content | str) -> Content:
    """Server text is data, never markup: a plain `str` becomes a literal `Content`."""
    return text if isinstance(text, Content) else literal(text, multiline=True)


class YesNoModal(ModalScreen[bool]):
    """Base of every confirmation: `y` confirms, `n`/`esc` cancel, `enter` takes the focused button.

    Focus starts on No, so an `enter` typed by habit never deletes or publishes anything.
    Subclasses supply the body through `compose_body`.
    """

    DEFAULT_CSS = """
    YesNoModal {
        align: center middle;
    }
    YesNoModal > #dialog {
        width: 100;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }
    YesNoModal.-danger > #dialog {
        border: thick $error;
    }
    YesNoModal #title {
        text-style: bold;
        margin: 1 0;
    }
    YesNoModal #body-scroll {
        height: auto;
        max-height: 40vh;
    }
    YesNoModal #buttons {
        height: auto;
        margin: 1 0;
        align-horizontal: right;
    }
    YesNoModal #buttons Button {
        margin-left: 2;
    }
    YesNoModal > #dialog {
        border-subtitle-color: $text;
        border-subtitle-align: left;
    }
    /* A short terminal keeps the buttons and the key hint on screen: the lists give way. */
    YesNoModal.-short #title { margin: 0; }
    YesNoModal.-short #buttons { margin: 0; }
    YesNoModal.-short #body-scroll { max-height: 25vh; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", id="modal.confirm"),
        Binding("n", "cancel", "No", id="modal.cancel"),
        Binding("escape", "cancel", "Cancel", show=False, id="modal.escape"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    AUTO_FOCUS = "#no"

    def __init__(
        self,
        title: Content | str,
        *,
        confirm_label: str = "Yes",
        cancel_label: str = "No",
        danger: bool = False,
    ) -> None:
        super().__init__(classes="-danger" if danger else None)
        self._title = as_content(title)
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self._danger = danger

    def compose(self) -> ComposeResult:
        """Title, the subclass's body, then the two buttons (No first to be reached by default)."""
        with Vertical(id="dialog") as dialog:
            # On the border: it stays on screen however little room the buttons get.
            dialog.border_subtitle = Content(HINT)
            yield Static(self._title, id="title", markup=False)
            yield from self.compose_body()
            with Horizontal(id="buttons"):
                yield Button(
                    Content(self._confirm_label),
                    variant="error" if self._danger else "primary",
                    id="yes",
                )
                yield Button(Content(self._cancel_label), id="no")

    def compose_body(self) -> ComposeResult:
        """The question's details; empty by default."""
        yield from ()

    def on_resize(self, event: Resize) -> None:
        """On a short terminal the lists give way to the buttons."""
        self.set_class(event.size.height < SHORT, "-short")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button that was pressed (by mouse or by `enter` on it)."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        """Answer Yes."""
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Answer No."""
        self.dismiss(False)


class ConfirmModal(YesNoModal):
    """A confirmation with a title and a body of literal text (or `Content` built by the caller)."""

    def __init__(
        self,
        title: str,
        body: Content | str,
        *,
        confirm_label: str = "Yes",
        danger: bool = False,
    ) -> None:
        super().__init__(title, confirm_label=confirm_label, danger=danger)
        self._body = as_content(body)

    def compose_body(self) -> ComposeResult:
        """The body text, shown as typed (never parsed as markup); it scrolls when long."""
        with VerticalScroll(id="body-scroll"):
            yield PathText(self._body, id="body")
