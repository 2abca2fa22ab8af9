"""The look of the clean-up screens at 80x24: the planner's preview, a run-level delete."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals import ConfirmModal
from lazytinker.ui.views.planner import PlannerScreen
from tests.cleanup.forty import forty_checkpoint_run
from tests.conftest import StartServer
from tests.ui.harness import FIXED_NOW, make_app, make_store, settle


async def _on_the_run(pilot: Pilot[None], run_id: str) -> MainScreen:
    app: Any = pilot.app
    await settle(pilot, lambda: app.store.runs.loaded and isinstance(app.screen, MainScreen))
    screen: MainScreen = app.screen
    screen.runs.focus()
    await pilot.pause()
    assert screen.runs.move_to_key(run_id)
    # The run's count in its row, and the storage rate for the money.
    await settle(pilot, lambda: app.store.run_totals.get(run_id) is not None)
    await settle(pilot, lambda: app.store.money.rate is not None)
    return screen


def test_planner_preview_at_80x24(start_server: StartServer, snap_compare: Any) -> None:
    server, run_id = forty_checkpoint_run(start_server, FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)

    async def run_before(pilot: Pilot[None]) -> None:
        await _on_the_run(pilot, run_id)
        await pilot.press("C")
        app: Any = pilot.app
        await settle(pilot, lambda: isinstance(app.screen, PlannerScreen))
        planner: PlannerScreen = app.screen
        await settle(pilot, lambda: planner.plan is not None and planner.rows.row_count > 0)
        await pilot.pause(0.3)

    assert snap_compare(make_app(store), terminal_size=(80, 24), run_before=run_before)


def test_run_delete_modal_at_80x24(start_server: StartServer, snap_compare: Any) -> None:
    server, run_id = forty_checkpoint_run(start_server, FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)

    async def run_before(pilot: Pilot[None]) -> None:
        await _on_the_run(pilot, run_id)
        await pilot.press("d")
        app: Any = pilot.app
        await settle(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.pause(0.3)

    assert snap_compare(make_app(store), terminal_size=(80, 24), run_before=run_before)
