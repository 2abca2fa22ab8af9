"""The main screen's start-up: take what the store loaded before the screen existed, await the
store's start-up task, say what went wrong or start watching; and follow what the server turns
out to offer. Functions of the screen, kept out of it so that it stays a router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.store import Change, Connection

if TYPE_CHECKING:
    from lazytinker.ui.main_screen import MainScreen

PRELOADED = ("sessions", "runs")
"""The collections the store's start-up loads, perhaps before the screen mounts."""


def take_preloaded(screen: MainScreen) -> None:
    """Show what the store loaded before the screen listened, and start-up work waiting for
    the first screen may go on once it is painted.

    The command line starts the network before the UI is built (issue 19): rows that came in
    meanwhile were announced to nobody, so the panes take them now.
    """
    store = screen.store
    for name in PRELOADED:
        keyed = store.collection(name)
        if keyed is not None and (len(keyed) or name in store.errors):
            screen.on_store_change(Change(name, added=tuple(keyed.items)))
    screen.browse.capabilities_changed()
    screen.call_after_refresh(store.first_screen_shown)


async def start_up(screen: MainScreen, again: bool) -> None:
    """Await the store's start-up (connect, first runs and sessions, all at once; the command
    line may have started it already); on failure say what to do; else watch."""
    store = screen.store
    screen.problem.hide()
    screen.set_visible()
    ok = await screen.browse.load(store.start(again=again))
    screen.header.redraw()
    if not ok or store.connection is not Connection.CONNECTED:
        screen.problem.show_problem(store)
        return
    if not len(store.runs) and not len(store.sessions) and not store.errors:
        screen.notify("This account has no sessions or training runs yet.", timeout=8)
    if screen.auto_watch:
        store.start_watch()


STOPPED = (Connection.UNREACHABLE, Connection.KEY_REJECTED, Connection.NO_CREDENTIAL)


def status_changed(screen: MainScreen) -> None:
    """While starting, a connection that cannot work is said at once: the start-up's other
    requests may still be retrying, and the user should not wait for them to hear why."""
    store = screen.store
    screen.header.redraw()
    if store.starting and store.connection in STOPPED:
        screen.problem.show_problem(store)


def capabilities_changed(screen: MainScreen) -> None:
    """An answer taught what the server offers: views show or hide what depends on it, keys
    grey, the header says it."""
    for view in screen.views.values():
        view.capabilities_changed()
    screen.header.redraw()
    screen.refresh_bindings()
