"""The project modal: pick a project (to narrow the runs to, move a session to, or copy a
checkpoint into), and for a copy its expiry. The projects seen on runs and sessions are offered
(typing completes them); any other id may be typed, the server decides whether the key may use
it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Static

from lazytinker.store.ttl import VALID_RANGE, TtlError, parse_ttl
from lazytinker.ui.modals._format import literal


@dataclass(frozen=True)
class ProjectChoice:
    """What was chosen: a project id ("" for every project, where that is allowed), and the
    copy's TTL in seconds (None: never expires)."""

    project_id: str
    ttl_seconds: int | None = None


class ProjectModal(ModalScreen[ProjectChoice | None]):
    """Asks for a project (and, with `ask_ttl`, an expiry); None when cancelled."""

    DEFAULT_CSS = """
    ProjectModal { align: center middle; }
    ProjectModal > #dialog {
        width: 90; max-width: 95%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    ProjectModal #title { text-style: bold; margin-top: 1; }
    ProjectModal #known { color: $text-muted; height: auto; margin-bottom: 1; }
    ProjectModal .label { margin-top: 1; }
    ProjectModal #problem { color: $error; height: auto; }
    ProjectModal #buttons { height: auto; margin: 1 0; align-horizontal: right; }
    ProjectModal #buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.escape"),
    ]

    AUTO_FOCUS = "#project"

    def __init__(
        self,
        title: str,
        projects: list[str],
        *,
        current: str | None = None,
        ask_ttl: bool = False,
        allow_all: bool = False,
        confirm: str = "OK",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.projects = list(projects)
        self.current = current or ""
        self.ask_ttl = ask_ttl
        self.allow_all = allow_all
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        """Title, the projects seen, the project input, the TTL input (copy) and the buttons."""
        known = ", ".join(self.projects) if self.projects else "none seen on runs or sessions"
        hint = "empty: every project" if self.allow_all else "a project id"
        with Vertical(id="dialog"):
            yield Static(literal(self.title_text), id="title", markup=False)
            yield Static(literal(f"Projects seen: {known}"), id="known", markup=False)
            yield Input(
                self.current,
                placeholder=hint,
                id="project",
                suggester=SuggestFromList(self.projects, case_sensitive=True),
            )
            if self.ask_ttl:
                yield Static(Content("Expiry of the copy"), classes="label", markup=False)
                yield Input(placeholder=f"never (default), 7d, 90d, 1y… {VALID_RANGE}", id="ttl")
            yield Static("", id="problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button(self.confirm, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "project" and self.ask_ttl:
            self.query_one("#ttl", Input).focus()
            return
        self._submit()

    @on(Button.Pressed, "#ok")
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    def _submit(self) -> None:
        project = self.query_one("#project", Input).value.strip()
        if not project and not self.allow_all:
            self._problem("Type a project id, or press esc.")
            return
        seconds: int | None = None
        if self.ask_ttl:
            text = self.query_one("#ttl", Input).value.strip() or "never"
            try:
                seconds = parse_ttl(text)
            except TtlError as error:
                self._problem(str(error))
                return
        self.dismiss(ProjectChoice(project, seconds))

    def _problem(self, message: str) -> None:
        self.query_one("#problem", Static).update(Content(message))
