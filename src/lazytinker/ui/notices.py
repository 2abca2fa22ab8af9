"""Toasts never hide a decision: while a modal is open (a confirmation, the help, the palette),
toasts wait, and the ones on screen when it opened go; they are shown when it closes.

The app sends every toast through `NoticeGate.notify`; the gate follows the screen stack.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

HELD_LIMIT = 20
"""Toasts kept while a modal is open (the oldest go first: a modal left open for an hour of
watching must not come back to a flood)."""


class Held(msgspec.Struct, frozen=True):
    """A toast waiting for the modal to close."""

    message: str
    title: str
    severity: SeverityLevel
    timeout: float | None
    markup: bool


Send = Callable[[Held], None]


class NoticeGate:
    """Holds toasts while a modal is on top; `send` shows one (the app's own notify)."""

    def __init__(self, send: Send, clear: Callable[[], None]) -> None:
        self._send = send
        self._clear = clear
        self._held: list[Held] = []
        self.modal_open = False

    def notify(self, notice: Held) -> None:
        """Show a toast now, or when the modal on top closes."""
        if self.modal_open:
            self._held = [*self._held, notice][-HELD_LIMIT:]
        else:
            self._send(notice)

    def screen_changed(self, screen: Screen[object]) -> None:
        """A screen came on top: a modal clears the toasts and holds new ones; leaving the last
        modal shows what was held."""
        modal = isinstance(screen, ModalScreen)
        if modal and not self.modal_open:
            self._clear()
        self.modal_open = modal
        if not modal:
            held, self._held = self._held, []
            for notice in held:
                self._send(notice)

    @property
    def held(self) -> list[Held]:
        """The toasts waiting (for tests)."""
        return list(self._held)
