"""The Textual app: theme, keymap, notices, the main screen or a start-up problem.

Build it with a `Store` (see `lazytinker.cli.app`); tests build it the same way on a store
connected to the stand-in server, with the store's clock injected so relative times are stable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.segment import Segments
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static

from lazytinker.store import Notice, Store
from lazytinker.store.downloads import DownloadManager
from lazytinker.ui.actions.downloads import follow_downloads, quit_modal

# Imported up front (it is light): the crash path must not depend on an import succeeding.
from lazytinker.ui.crash import BUG_REPORT, crash_traceback
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.notices import Held, NoticeGate
from lazytinker.ui.resources import tcss_path
from lazytinker.ui.text import literal, printable

if TYPE_CHECKING:
    from textual.command import Provider

    from lazytinker.store.planner import PlanChoice


class ProblemScreen(Screen[None]):
    """Shown when the app cannot even start talking to a server (no credential, bad config)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit", id="quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        """The message and a footer."""
        yield Static("lazytinker", id="header", markup=False)
        box = Static(literal(self.message, multiline=True), id="problem")
        box.add_class("-shown")
        yield box
        yield KeyBar()


def _commands() -> type[Provider]:
    """The palette's own commands, imported when the palette first opens."""
    from lazytinker.ui.commands import LazytinkerCommands

    return LazytinkerCommands


class LazytinkerApp(App[None]):
    """A full-screen browser of a Tinker account."""

    CSS_PATH = str(tcss_path())
    TITLE = "lazytinker"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("i", "about", "About this server", show=False, id="about"),
        Binding("ctrl+s", "screenshot", "Screenshot", show=False, id="screenshot"),
        # Textual's own palette key, declared here to have an id (remappable) and a name.
        Binding(
            "ctrl+p",
            "command_palette",
            "Command palette",
            show=False,
            priority=True,
            id="command_palette",
        ),
    ]

    def __init__(
        self,
        store: Store | None,
        *,
        problem: str | None = None,
        theme: str = "textual-dark",
        keys: Mapping[str, str] | None = None,
        animations: bool = False,
        watch: bool = True,
        downloads: DownloadManager | None = None,
        download_directory: str = "~/tinker-checkpoints",
        extract: bool = True,
        screenshot_directory: str = ".",
    ) -> None:
        super().__init__()
        self.screenshot_directory = screenshot_directory
        self.store = store
        self.downloads = downloads
        self.download_directory = download_directory
        self.extract = extract
        if store is not None and downloads is not None:
            store.downloads = downloads
        self.problem = problem
        self.keys = dict(keys or {})
        self.watch_on_start = watch
        self.theme_name = theme
        # The clean-up planner's remembered rules, and how to save them (`[cleanup]`).
        self.plan_choice: PlanChoice | None = None  # None: the planner's defaults
        self.save_plan: Callable[[PlanChoice], None] | None = None
        if not animations:
            self.animation_level = "none"
        self.notices = NoticeGate(self._send_notice, self.clear_notifications)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast, held while a modal is open (it never covers a decision). Every toast,
        whoever raises it, is literal text through the one text rule, never markup."""
        self.notices.notify(Held(message, title, severity, timeout, False))

    def _send_notice(self, notice: Held) -> None:
        super().notify(
            printable(notice.message),
            title=printable(notice.title),
            severity=notice.severity,
            timeout=notice.timeout,
            markup=False,
        )

    def on_mount(self) -> None:
        """Theme, keymap, notices, then the first screen."""
        self.screen_change_signal.subscribe(self, self.notices.screen_changed)
        if self.theme_name in self.available_themes:
            self.theme = self.theme_name
        else:
            self.notify(
                f"Unknown theme {self.theme_name!r}; using {self.theme}.", severity="warning"
            )
        if self.keys:
            self.set_keymap(self.keys)
        if self.store is None or self.problem:
            self.push_screen(ProblemScreen(self.problem or "No store."))
            return
        self.store.on_notice(self._on_notice)
        # Pushed once the app's own start-up is over, not from inside it: Textual holds every
        # repaint back until then (a batch), so a screen pushed here would be "refreshed" (and
        # tell the store its first screen is painted, which starts the next pages) before
        # its frame reached the terminal; the frame then waited ~0.1 s behind that work.
        self.call_later(self.push_screen, MainScreen(self.store, watch=self.watch_on_start))
        if self.downloads is not None:
            follow_downloads(self, self.downloads, self.download_directory)

    def _on_notice(self, notice: Notice) -> None:
        self.notify(notice.message, severity=notice.severity)

    def copy_to_clipboard(self, text: str) -> None:
        """Copy through the text rule: no control character (or key) ever reaches the
        clipboard, where a paste into a shell would run it."""
        super().copy_to_clipboard(printable(text))

    def _fatal_error(self) -> None:
        """The crash screen without local variables (Textual prints every frame's, the key
        among them) and with its messages redacted and escaped."""
        error = sys.exc_info()[1] or self._exception
        if error is None:
            super()._fatal_error()
            return
        self.bell()
        report = Group(crash_traceback(error), Text(BUG_REPORT))
        self._exit_renderables.append(Segments(self.console.render(report, self.console.options)))
        self._close_messages_no_wait()

    async def action_quit(self) -> None:
        """`q`: quit; while downloads run, ask first (the default answer stays)."""
        from lazytinker.ui.modals.quit import QuitModal

        if self.downloads is None or not self.downloads.active_count:
            self.exit()
        elif not isinstance(self.screen, QuitModal):
            self.push_screen(
                quit_modal(self.downloads, self.download_directory),
                lambda answer: self.exit() if answer else None,
            )

    def action_help(self) -> None:
        """`?`: the keys that work here as mapped now, grouped by where they apply."""
        from lazytinker.ui.help import HelpScreen, help_groups

        self.push_screen(HelpScreen(help_groups(self.screen)))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """`ctrl+s`: save an SVG of the screen in the configured folder (`ui.screenshots`, else
        the current one) and say where; a folder that does not exist falls back to the current
        one, and says so."""
        from lazytinker.ui.screenshot import save_screenshot

        shot, note = save_screenshot(self, path or self.screenshot_directory, filename)
        if shot is None:
            self.notify(note, severity="error", markup=False)
        else:
            self.notify(f"{note}Saved a screenshot: {shot}", markup=False, timeout=6)

    def action_about(self) -> None:
        """`i`: what this server offers, lacks or refuses, and why; who the key is."""
        from lazytinker.ui.about import AboutScreen

        if self.store is not None and not isinstance(self.screen, AboutScreen):
            self.push_screen(AboutScreen(self.store))

    async def on_unmount(self) -> None:
        """Stop the downloads (their parts stay for next time), the store's watch, its client."""
        if self.downloads is not None:
            await self.downloads.aclose()
        if self.store is not None:
            await self.store.close()
