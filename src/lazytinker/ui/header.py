"""The header line: profile, host, connection, watch state, downloads, read-only."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from lazytinker.store import Connection, Store
from lazytinker.store.watch import HEALING, STOPPED
from lazytinker.ui.text import printable

_CONNECTION_STYLE = {
    Connection.CONNECTED: "$text-success",
    Connection.CONNECTING: "$text-muted",
    Connection.FAILING: "$text-warning",
}


def watch_state(store: Store) -> tuple[str, str]:
    """What the watch is really doing, and a style for it: never "watching" while nothing is
    refreshed (key rejected, server down, loop not started or ended)."""
    watch = store.watch
    connection = store.connection
    if not store.watching:
        return "○ watch off (w)", "$text-muted"
    if store.paused:
        return "○ watch paused", "$text-muted"
    if connection in STOPPED:
        return "✕ not watching (r retries)", "$text-error"
    if connection in HEALING and store.failures:
        return f"◌ retrying every {store.next_delay:g}s", "$text-warning"
    if watch.stopped is not None:
        return "✕ watch stopped (w restarts)", "$text-error"
    if not watch.started:
        return "○ not watching yet", "$text-muted"
    return f"● watching {store.interval:g}s", "$text-success"


class HeaderLine(Static):
    """`lazytinker ─ prod · tinker · host ─ ● connected ─ ● watching 5s ─ 2 downloads`."""

    def __init__(self, store: Store | None, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.store = store
        self._last: list[str | tuple[str, str]] = []

    def on_mount(self) -> None:
        """Paint the first state."""
        self.redraw()

    def redraw_soon(self) -> None:
        """Checkpoints changed (the count expiring within a day may have): redraw once the
        changes pause (a bulk delete changes 2,000 rows)."""
        if not getattr(self, "_soon", False) and self.is_mounted:
            self._soon = True

            def redraw() -> None:
                self._soon = False
                self.redraw()

            self.set_timer(0.5, redraw)

    def redraw(self) -> None:
        """Paint the current state of the store."""
        store = self.store
        if store is None:
            self.update(Content.assemble(("lazytinker", "bold"), " ─ not connected"))
            return
        connection = store.connection
        style = _CONNECTION_STYLE.get(connection, "$text-error")
        watch, watch_style = watch_state(store)
        # Connection and watch state first: on an 80-column terminal the URL is what gets cut.
        parts: list[str | tuple[str, str]] = [
            ("lazytinker", "bold"),
            " ─ ",
            (f"● {connection.value}", style),
            " ─ ",
            (watch, watch_style),
            " ─ ",
            printable(store.profile_name),
            " · ",
            store.flavor,
            " · ",
            printable(store.display_url),
        ]
        expiring = store.expiring.within_a_day()
        if expiring:  # before the URL: on 80 columns the URL is what gets cut
            parts[6:6] = [(f"⚠ {expiring} expire in <1d", "$text-warning"), " ─ "]
        downloads = len(store.downloads)
        if downloads:
            parts += [" ─ ", f"{downloads} download{'s' if downloads != 1 else ''}"]
        if store.read_only:
            parts += [" ─ ", ("read-only", "$text-warning")]
        # Only repaint when something changed: an update re-lays the screen out, and the idle
        # watch must write next to nothing to the terminal (this runs after every refresh).
        if parts != self._last:
            self._last = parts
            self.update(Content.assemble(*parts), layout=False)
