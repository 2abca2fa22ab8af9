"""The downloads view (`D`): every download with a progress bar, rate and ETA, or what it waits
for, or how it ended; cancel, retry (resume), remove.

It renders a `DownloadManager`'s items (`download_row.DownloadRow`, true from its first frame) and
updates only the row whose item changed. The screen wrapper (`DownloadsScreen`) is what the main
screen pushes; the view itself can live in a pane. Starting downloads is not this module's job:
see `lazytinker.ui.actions.downloads`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ListView, Static

from lazytinker.store.downloads import DownloadItem, DownloadManager
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.views.download_row import DownloadRow, describe

__all__ = ["DownloadRow", "DownloadsScreen", "DownloadsView", "describe"]


class DownloadsView(Vertical):
    """Every download of a manager, newest last; keys act on the highlighted one."""

    DEFAULT_CSS = """
    DownloadsView {
        height: 1fr;
    }
    DownloadsView #downloads-title {
        text-style: bold;
        padding: 0 1;
    }
    DownloadsView #downloads-empty {
        padding: 1 2;
        color: $text-muted;
    }
    DownloadsView ListView {
        height: 1fr;
    }
    /* A quiet highlight: the row's own colours (green done, red failed) stay readable. */
    DownloadsView ListView > DownloadRow.-highlight,
    DownloadsView ListView:focus > DownloadRow.-highlight {
        background: $boost;
        color: $foreground;
        text-style: none;
        border-left: outer $accent;
    }
    DownloadsView ListView > DownloadRow {
        border-left: outer $background;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cancel_download", "Cancel", id="downloads.cancel"),
        Binding("r", "retry_download", "Retry", id="downloads.retry"),
        Binding("x,delete", "remove_download", "Remove", id="downloads.remove"),
        Binding("j", "move(1)", "Down", show=False, id="downloads.down"),
        Binding("k", "move(-1)", "Up", show=False, id="downloads.up"),
    ]

    def __init__(self, manager: DownloadManager, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.manager = manager
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        """A title, the list, and a hint while the list is empty."""
        yield Static(Content(""), id="downloads-title", markup=False)
        yield Static(
            Content("No downloads yet: press s on a checkpoint to save it."),
            id="downloads-empty",
            markup=False,
        )
        yield ListView(*(DownloadRow(item) for item in self.manager.items.values()))

    def on_mount(self) -> None:
        """Follow the manager from now on."""
        self._unsubscribe = self.manager.subscribe(self._changed)
        self._retitle()

    def on_unmount(self) -> None:
        """Stop following the manager."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _changed(self, item: DownloadItem) -> None:
        rows = self.query(f"#row-{item.id}")
        if rows:
            row = rows.first(DownloadRow)
            row.show(item)
        else:
            listing = self.query_one(ListView)
            listing.append(DownloadRow(item))
            if listing.index is None:
                listing.index = 0  # keys act on a highlighted row, so there must be one
        self._retitle()

    def _retitle(self) -> None:
        items = self.manager.items
        active = self.manager.active_count
        title = f"Downloads ({len(items)})" + (f" · {active} in progress" if active else "")
        self.query_one("#downloads-title", Static).update(Content(title))
        self.query_one("#downloads-empty").display = not items

    def _highlighted(self) -> DownloadItem | None:
        row = self.query_one(ListView).highlighted_child
        if isinstance(row, DownloadRow):
            return self.manager.items.get(row.item_id)
        return None

    def action_move(self, step: int) -> None:
        """`j`/`k`, as in every other list."""
        listing = self.query_one(ListView)
        listing.action_cursor_down() if step > 0 else listing.action_cursor_up()

    def action_cancel_download(self) -> None:
        """Stop the highlighted download; what arrived stays on disk for a retry."""
        item = self._highlighted()
        if item is None or not self.manager.cancel(item.id):
            self.notify("Nothing running to cancel here.", severity="warning", timeout=3)

    def action_retry_download(self) -> None:
        """Start the highlighted failed or cancelled download again, resuming its part."""
        item = self._highlighted()
        if item is None or not self.manager.retry(item.id):
            self.notify("Only a failed or cancelled download can be retried.", timeout=3)

    def action_remove_download(self) -> None:
        """Take a finished download off the list (its files stay)."""
        item = self._highlighted()
        if item is None or not self.manager.remove(item.id):
            self.notify("Cancel it first: only finished downloads can be removed.", timeout=3)
            return
        for row in self.query(f"#row-{item.id}"):
            row.remove()
        self._retitle()


class DownloadsScreen(Screen[None]):
    """The downloads view on a screen of its own; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="downloads.back"),
    ]

    def __init__(self, manager: DownloadManager) -> None:
        super().__init__()
        self.manager = manager

    def compose(self) -> ComposeResult:
        """The view and the footer with its keys."""
        yield DownloadsView(self.manager, id="downloads")
        yield KeyBar()

    def on_mount(self) -> None:
        """Put the keys on the list."""
        self.query_one(ListView).focus()
