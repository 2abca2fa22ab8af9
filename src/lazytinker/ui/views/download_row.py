"""One download in the downloads view: what it is, a bar when the size is known, and one line
saying where it stands (`describe`). Painted from the item it was built with, so the first frame
is already true; later changes repaint it in place.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import ListItem, ProgressBar, Static

from lazytinker import human
from lazytinker.store.download_items import DownloadItem, DownloadState
from lazytinker.ui.modals._format import literal

__all__ = ["DownloadRow", "describe"]


_size = human.size  # the app's one size unit (decimal), as the tables show sizes


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
    if state is DownloadState.STARTING:
        return "starting…"
    if state is DownloadState.BUILDING:
        wait = f", asking again in {item.retry_after:g} s" if item.retry_after else ""
        return f"the server is preparing it{wait}"
    if state is DownloadState.EXPORTING:
        return f"exporting: {item.detail or 'waiting for the server'}"
    if state is DownloadState.VERIFYING:
        return f"verifying {_size(item.done)}"
    if state is DownloadState.EXTRACTING:
        return f"extracting {_size(item.done)}"
    if state is DownloadState.DONE:
        where = item.result or item.destination
        if item.skipped:
            return f"already there · {where}"
        return f"done · {_size(item.done)} · {where}"
    if state is DownloadState.FAILED:
        return f"failed · {item.error or 'unknown error'} · r to retry"
    if state is DownloadState.CANCELLED:
        if item.found:
            return f"unfinished from last time · {_size(item.done)} on disk · r to resume"
        return f"cancelled at {_size(item.done)} · r to resume"
    amount = _size(item.done) + (f" / {_size(item.total)}" if item.total else "")
    rate = f" · {human.rate(item.rate)}" if item.rate else ""
    eta = f" · ETA {_clock(item.eta)}" if item.eta is not None else ""
    return f"{amount}{rate}{eta}"


def _bar(item: DownloadItem) -> tuple[float | None, float]:
    """The bar's total and progress (a total of None: no bar, the size is not known)."""
    if item.state is DownloadState.DONE:
        return 1.0, 1.0
    if item.total:
        return float(item.total), float(min(item.done, item.total))
    return None, 0.0


class DownloadRow(ListItem):
    """One download: its path, a progress bar and the line `describe` gives."""

    DEFAULT_CSS = """
    DownloadRow {
        height: auto;
        padding: 0 1;
    }
    DownloadRow .bar-line {
        height: auto;
    }
    DownloadRow ProgressBar {
        width: 40;
    }
    DownloadRow ProgressBar.-unknown {
        display: none;
    }
    DownloadRow .state {
        width: 1fr;
        height: auto;
        margin-left: 1;
    }
    DownloadRow.-failed .state {
        color: $error;
    }
    DownloadRow.-done .state {
        color: $success;
    }
    DownloadRow.-paused .state {
        color: $warning;
    }
    """

    def __init__(self, item: DownloadItem) -> None:
        super().__init__(id=f"row-{item.id}")
        self.item_id = item.id
        self._item = item
        self._classes_for(item)

    def compose(self) -> ComposeResult:
        """The label, then the bar and the state line side by side, as the item is now."""
        total, progress = _bar(self._item)
        yield Static(literal(self._item.label), classes="label", markup=False)
        with Horizontal(classes="bar-line"):
            bar = ProgressBar(total=total, show_eta=False, show_percentage=True)
            bar.set_class(total is None, "-unknown")
            if total is not None:
                bar.progress = progress
            yield bar
            yield Static(literal(describe(self._item)), classes="state", markup=False)

    def show(self, item: DownloadItem) -> None:
        """Repaint this row from `item` (before its children exist, only remember it)."""
        self._item = item
        self._classes_for(item)
        try:
            bar = self.query_one(ProgressBar)
            state = self.query_one(".state", Static)
        except NoMatches:
            return  # composed from `_item` when it mounts
        total, progress = _bar(item)
        bar.set_class(total is None, "-unknown")
        if total is not None:
            bar.update(total=total, progress=progress)
        state.update(literal(describe(item)))

    def _classes_for(self, item: DownloadItem) -> None:
        self.set_class(item.state is DownloadState.FAILED, "-failed")
        self.set_class(item.state is DownloadState.DONE, "-done")
        self.set_class(item.state is DownloadState.CANCELLED, "-paused")
