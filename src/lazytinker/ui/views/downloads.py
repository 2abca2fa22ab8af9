"""The downloads view (`D`): every download with a progress bar, rate and ETA; cancel, retry,
remove.

It renders a `DownloadManager`'s items and updates only the row whose item changed. The screen
wrapper (`DownloadsScreen`) is what the main screen pushes; the view itself can live in a pane.
Starting downloads is not this module's job: see `lazytinker.ui.actions.downloads`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ListItem, ListView, ProgressBar, Static

from lazytinker import human
from lazytinker.store.downloads import DownloadItem, DownloadManager, DownloadState
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.modals._format import literal

_size = human.size


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(item: DownloadItem) -> str:
    """One line saying where a download is: bytes, rate and ETA, what it waits for, or the end."""
    state = item.state
    if state is DownloadState.QUEUED:
        return "queued"
    if state is DownloadState.BUILDING:
        wait = f", asking again in {item.retry_after:g} s" if item.retry_after else ""
        return f"the server is preparing it{wait}"
    if state is DownloadState.EXTRACTING:
        return f"extracting {_size(item.done)}"
    if state is DownloadState.DONE:
        return f"done · {_size(item.done)} · {item.result or item.destination}"
    if state is DownloadState.FAILED:
        return f"failed · {item.error or 'unknown error'} · r to retry"
    if state is DownloadState.CANCELLED:
        return f"cancelled at {_size(item.done)} · r to resume"
    amount = _size(item.done) + (f" / {_size(item.total)}" if item.total else "")
    rate = f" · {human.rate(item.rate)}" if item.rate else ""
    eta = f" · ETA {_clock(item.eta)}" if item.eta is not None else ""
    return f"{amount}{rate}{eta}"


class DownloadRow(ListItem):
    """One download: its path, a progress bar and the line `describe` gives."""

    DEFAULT_CSS = """
    DownloadRow {
        height: auto;
        padding: 0 1;
    }
    DownloadRow .bar-line {
        height: 1;
    }
    DownloadRow ProgressBar {
        width: 40;
    }
    DownloadRow .state {
        width: 1fr;
        margin-left: 1;
    }
    DownloadRow.-failed .state {
        color: $error;
    }
    DownloadRow.-done .state {
        color: $success;
    }
    """

    def __init__(self, item: DownloadItem) -> None:
        super().__init__(id=f"row-{item.id}")
        self.item_id = item.id
        self._item = item

    def compose(self) -> ComposeResult:
        """The label, then the bar and the state line side by side."""
        yield Static(literal(self._item.label), classes="label", markup=False)
        with Horizontal(classes="bar-line"):
            yield ProgressBar(total=None, show_eta=False, show_percentage=True)
            yield Static(Content(""), classes="state", markup=False)

    def on_mount(self) -> None:
        """Show the item as it is now."""
        self.show(self._item)

    def show(self, item: DownloadItem) -> None:
        """Redraw this row from `item`."""
        self._item = item
        if not self.is_mounted:
            return
        bar = self.query_one(ProgressBar)
        if item.state is DownloadState.DONE:
            bar.update(total=max(1, item.done), progress=max(1, item.done))
        elif item.total:
            bar.update(total=item.total, progress=min(item.done, item.total))
        else:
            bar.update(total=None)
        self.query_one(".state", Static).update(literal(describe(item)))
        self.set_class(item.state is DownloadState.FAILED, "-failed")
        self.set_class(item.state is DownloadState.DONE, "-done")


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
