"""The look of each view, pinned as SVG snapshots (`pytest --snapshot-update` after a change).

The server lays its seed out from FIXED_NOW and the app's clock is pinned there, so relative times
never move; the watch is off and the header shows a fixed URL instead of the random port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from lazytinker.ui.main_screen import MainScreen

from .harness import FIXED_NOW, header_settled, make_app, make_store, runs_counted, settle

Check = Callable[[MainScreen], bool]


def _prepare(keys: tuple[str, ...], ready: Check) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        store = app.store
        await settle(pilot, lambda: store.runs.loaded and store.sessions.loaded)
        # The runs on screen counted, and the header's count of what expires within a day
        # redrawn, before anything else: both come in the background.
        await settle(pilot, lambda: runs_counted(app.screen) and header_settled(app.screen))
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot, lambda: isinstance(app.screen, MainScreen) and ready(app.screen))
        # The status line's size sum comes 0.3 s after the rows settle, the header's count of
        # checkpoints expiring within a day 0.5 s after the checkpoints.
        await pilot.pause(0.8)

    return run_before


def _weights_shown(screen: MainScreen) -> bool:
    table = screen._focused_table()
    key = table.cursor_key if table else None
    return key is not None and key in screen.store.weights_info


VIEWS: dict[str, tuple[tuple[str, ...], Check]] = {
    "browse": ((), runs_counted),
    "run_checkpoints": (
        ("j", "enter"),
        lambda s: s.checkpoints.row_count > 0 and _weights_shown(s),
    ),
    "all_checkpoints": (
        ("2",),
        lambda s: s.view_table("all-checkpoints").row_count > 0 and _weights_shown(s),
    ),
    "samplers": (("3",), lambda s: s.store.samplers.loaded),
    "models": (("4",), lambda s: s.store.models.loaded),
    "storage": (("5",), lambda s: s.store.storage is not None),
    "billing": (("6",), lambda s: s.store.billing is not None),
    "session_runs": (("h", "enter"), lambda s: s.runs.has_focus and runs_counted(s)),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_view_snapshot(view: str, start_server: Any, snap_compare: Any) -> None:
    server = start_server(now=FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)
    keys, ready = VIEWS[view]
    assert snap_compare(make_app(store), terminal_size=(140, 40), run_before=_prepare(keys, ready))


def test_narrow_terminal_snapshot(start_server: Any, snap_compare: Any) -> None:
    server = start_server(now=FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)
    assert snap_compare(
        make_app(store),
        terminal_size=(80, 24),
        run_before=_prepare(("enter",), lambda s: s.checkpoints.row_count > 0),
    )


def test_help_snapshot(start_server: Any, snap_compare: Any) -> None:
    server = start_server(now=FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)

    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        # Sessions too: the runs behind the help take their names from them.
        await settle(pilot, lambda: store.runs.loaded and store.sessions.loaded)
        await settle(pilot, lambda: runs_counted(app.screen) and header_settled(app.screen))
        await pilot.pause(0.2)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(store), terminal_size=(100, 40), run_before=run_before)


def test_zoomed_detail_at_80x24_snapshot(start_server: Any, snap_compare: Any) -> None:
    """`z` on a checkpoint at 80×24: every field, its weights info and metadata, in reach."""
    server = start_server(now=FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)

    async def run_before(pilot: Pilot[None]) -> None:
        await _prepare(("enter",), lambda s: s.checkpoints.row_count > 0 and _weights_shown(s))(
            pilot
        )
        await pilot.press("z")
        await pilot.pause(0.3)

    assert snap_compare(make_app(store), terminal_size=(80, 24), run_before=run_before)


def test_modal_with_a_toast_pending_at_80x24_snapshot(start_server: Any, snap_compare: Any) -> None:
    """A delete confirmation at 80×24 while a toast waits: no toast over it, its buttons and
    key hint in view."""
    server = start_server(now=FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)

    async def run_before(pilot: Pilot[None]) -> None:
        await _prepare(("enter",), lambda s: s.checkpoints.row_count > 0)(pilot)
        for _ in range(3):
            await pilot.press("space")
        await pilot.press("d")
        await pilot.pause(0.3)
        store.notify("tinker://run/weights/step-000999 was saved")
        await pilot.pause(0.3)

    assert snap_compare(make_app(store), terminal_size=(80, 24), run_before=run_before)
