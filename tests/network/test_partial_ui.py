"""The app against partial and quirky servers (issue 17's "Done when"): every view and the about
panel opened on each, with no traceback, no pane that says "none" where the server said "not
offered", and every fallback in use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from lazytinker.store import Capability, Store
from lazytinker.ui.about import AboutScreen, about_text
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen
from tests.conftest import StartServer

from .test_capabilities import client

SIZE = (160, 48)
COMBOS: dict[str, tuple[dict[str, Any], set[str], set[str]]] = {
    # name: (server config, fallbacks expected once every view was opened, views that must be
    # refused; others may be refused too once a probe or a first try found them missing)
    "no-search-no-config-quirks": (
        {
            "without": ("sessions-search", "client-config", "user-checkpoints", "capabilities"),
            "quirks": ("null-times", "no-sizes", "model-id", "naive-dates", "bare-ids"),
        },
        {"sessions", "user_checkpoints", "models"},
        set(),
    ),
    "no-sessions-no-admin-routes": (
        {"without": ("sessions", "storage", "billing", "audit", "apikey-me", "projects", "copy")},
        set(),
        {"samplers"},
    ),
    "hpcai": ({"flavor": "hpcai"}, {"user_checkpoints"}, {"samplers"}),
}
VIEW_KEYS = {
    "all-checkpoints": "2",
    "samplers": "3",
    "models": "4",
    "storage": "5",
    "billing": "6",
    "audit": "7",
}
PANE_COLLECTIONS = {"sessions-pane": "sessions", "runs-pane": "runs"}


async def until(pilot: Any, what: str, condition: Callable[[], bool], limit: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def no_false_none(screen: MainScreen, store: Store) -> None:
    """A pane showing its "No …" text has loaded its collection without an error."""
    for view in screen.views.values():
        if not view.is_attached:
            continue
        for pane in view.panes():
            collection = getattr(pane, "collection", "") or PANE_COLLECTIONS.get(pane.id or "")
            if not collection or not pane.display or pane.table.row_count:
                continue
            if collection in store.errors:
                said = pane.table.empty.says(0, "")
                # The pane's error line says why (its empty line then says nothing), or the
                # screen's banner does for the whole server ("see above"): never "No …".
                assert said in ("", "Not loaded: see above."), (collection, said)
                assert pane.error_line.has_class("-shown") or said, collection


@pytest.mark.parametrize("combo", list(COMBOS))
async def test_every_view_on_a_partial_server(start_server: StartServer, combo: str) -> None:
    config, fallbacks, refused = COMBOS[combo]
    flavor = config.get("flavor", "tinker")
    server = start_server(api_keys=("tml-demo",), **config)
    store = Store(client(server.url, flavor=flavor), refresh=60)
    app = LazytinkerApp(store, watch=False)
    toasts: list[str] = []
    notify = app.notify

    def recording(message: str, **kwargs: Any) -> None:
        toasts.append(str(message))
        notify(message, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, "the first rows", lambda: store.runs.loaded and len(store.runs) > 0)
        await until(pilot, "sessions", lambda: store.sessions.loaded or "sessions" in store.errors)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # The sessions pane is shown exactly where the server has sessions.
        sessions_pane = screen.query_one("#sessions-pane")
        assert sessions_pane.display == store.supports(Capability.SESSIONS)
        for name, key in VIEW_KEYS.items():
            shown = len(toasts)
            await pilot.press(key)
            await pilot.pause()
            if screen.view != name:
                # Refused, with the reason: what the server lacks is not offered.
                assert any("does not offer" in t for t in toasts[shown:]), (name, toasts)
                continue
            assert name not in refused
            pane = screen.views[name].entry()
            await until(pilot, f"{name} loaded", lambda p=pane: not p.fetching)
            no_false_none(screen, store)
            await pilot.press("1")
            await pilot.pause()
        no_false_none(screen, store)
        assert fallbacks <= set(store.fallbacks), store.fallbacks
        await pilot.press("i")
        await until(pilot, "the about panel", lambda: isinstance(app.screen, AboutScreen))
        text = about_text(store).plain
        assert server.url in text
        assert "What it offers" in text
        await pilot.press("escape")
        await until(pilot, "the main screen again", lambda: isinstance(app.screen, MainScreen))
