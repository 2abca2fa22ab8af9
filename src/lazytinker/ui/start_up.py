"""The main screen's start-up, beside `store_control.py` (which awaits the store's start-up
task and retries): take what the store loaded before the screen existed, and follow what the
server turns out to offer. Functions of the screen, kept out of it so that it stays a router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.store import Capability, Change

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
    say_identity_failure(screen, "identity")
    screen.call_after_refresh(store.first_screen_shown)


def capabilities_changed(screen: MainScreen) -> None:
    """An answer taught what the server offers: views show or hide what depends on it, keys
    grey, the header says it."""
    for view in screen.views.values():
        view.capabilities_changed()
    screen.header.redraw()
    screen.refresh_bindings()


def say_identity_failure(screen: MainScreen, collection: str) -> None:
    """Who the key is could not be read: say it (else only the about panel would). A server
    that lacks the route is not a failure: the about panel says why."""
    store = screen.store
    message = store.errors.get("identity") if collection == "identity" else None
    if message is not None and not store.why_not(Capability.IDENTITY):
        screen.notify(message, severity="warning")
