"""The zoomed detail and raw JSON, toasts that wait for a modal, the grouped help, the key bar at
80 columns, keys named as remapped, `enter` only where it opens something, `ctrl+s`."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from lazytinker.api.models import Checkpoint
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.help import HelpScreen
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals import DeleteModal
from lazytinker.ui.zoom import ZoomScreen

from .harness import make_app, make_store, settle


def main(app: LazytinkerApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def key_bar(app: LazytinkerApp) -> str:
    return str(app.screen.query_one(KeyBar).render())


def toasts(app: LazytinkerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_checkpoints(pilot, store, app: LazytinkerApp) -> MainScreen:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: store.runs.loaded)
    screen = main(app)
    await pilot.press("enter")
    await settle(pilot, lambda: screen.checkpoints.row_count > 0 and screen.checkpoints.has_focus)
    return screen


async def test_z_zooms_into_every_field_and_j_shows_the_raw_json(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checkpoints(pilot, store, app)
        key = screen.checkpoints.cursor_key
        assert key is not None
        await settle(pilot, lambda: key in store.weights_info)
        await pilot.press("z")
        await settle(pilot, lambda: isinstance(app.screen, ZoomScreen))
        body = str(app.screen.query_one("#zoom-body", Static).render())
        for label in ("created", "expires", "size", "weights: base", "LoRA rank", "trained"):
            assert label in body, body
        assert key in body
        assert "None" not in body
        await pilot.press("J")
        await pilot.pause()
        raw = str(app.screen.query_one("#zoom-body", Static).render())
        document = raw[raw.index("{") :]
        assert json.loads(document)["checkpoint_id"] == store.find_checkpoint(key).checkpoint_id  # type: ignore[union-attr]
        # $PAGER needs a real terminal: the headless one says it cannot.
        await pilot.press("P")
        await pilot.pause()
        assert any("pager" in t for t in toasts(app))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)


async def test_toasts_wait_while_a_modal_is_open(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checkpoints(pilot, store, app)
        screen.notify("before the modal")
        await pilot.pause()
        assert "before the modal" in toasts(app)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, DeleteModal))
        assert toasts(app) == []  # what was on screen went with the modal's opening
        store.notify("a checkpoint was saved")
        await pilot.pause()
        assert "a checkpoint was saved" not in toasts(app)
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is screen)
        assert "a checkpoint was saved" in toasts(app)


async def test_help_groups_the_keys_that_work_here_and_hides_textual_internals(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_checkpoints(pilot, store, app)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one(Static).render())
        order = [text.index(g) for g in ("Everywhere", "Moving and finding", "On checkpoints")]
        assert order == sorted(order)
        for description in ("Publish", "Delete", "Zoom", "Screenshot", "Command palette"):
            assert description in text
        for internal in ("Focus Next", "Focus Previous", "Copy selected text"):
            assert internal not in text
        # On the runs pane the same keys act on whole runs, and the group says so.
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: main(app).runs.has_focus)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one(Static).render())
        assert "On runs" in text
        assert "On checkpoints" not in text
        assert "Keep forever" not in text  # a checkpoint key, not offered on runs


async def test_the_key_bar_at_80_columns_keeps_help_and_quit(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkpoints(pilot, store, app)
        await pilot.pause()
        bar = key_bar(app)
        assert bar.rstrip().endswith("? Help"), bar
        assert " q Quit " in bar
        # The most used keys stay; `enter` opens nothing on a checkpoint, so it is not offered.
        for kept in (" / Filter ", " p Publish ", " d Delete "):
            assert kept in bar, bar
        assert "Open" not in bar


async def test_hints_name_keys_as_remapped(server) -> None:
    store = make_store(server.url)
    app = LazytinkerApp(store, watch=False, keys={"select": "x", "sort_size": "B"})
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_checkpoints(pilot, store, app)
        await settle(pilot, lambda: "shown" in str(screen.status.render()))
        status = str(screen.status.render())
        assert "x select" in status
        assert "B biggest" in status
        assert "space" not in status


async def test_enter_on_a_sampler_goes_to_its_checkpoint(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("3")
        await settle(
            pilot, lambda: store.samplers.loaded and screen.view_table("samplers").row_count > 0
        )
        with_path = next(s for s in store.samplers if s.model_path)
        screen.view_table("samplers").move_to_key(with_path.sampler_id)
        assert "Open" in key_bar(app)
        await pilot.press("enter")
        await settle(
            pilot,
            lambda: screen.checkpoints.cursor_key == with_path.model_path
            and screen.checkpoints.has_focus,
        )
        assert isinstance(screen.detail.item, Checkpoint)


async def test_ctrl_s_saves_a_screenshot_where_configured_and_says_where(
    server, tmp_path: Path
) -> None:
    store = make_store(server.url)
    shots = tmp_path / "shots"
    app = LazytinkerApp(store, watch=False, screenshot_directory=str(shots))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any(shots.glob("*.svg")))
        (saved,) = shots.glob("*.svg")
        assert saved.read_text().startswith("<svg")
        assert any(str(saved) in t for t in toasts(app))


def test_a_record_shows_its_fields_and_raw_json_like_a_wire_model() -> None:
    """Records (msgspec structs) reach the detail and `j` by their fields, a record inside a
    record included, as dataclasses did; never as their bare repr."""
    from datetime import UTC, datetime

    from lazytinker.local.series import MetricCurve
    from lazytinker.local.snapshot import LocalChange, LocalState
    from lazytinker.store import ActionResult, Operation, SessionInfo
    from lazytinker.ui.fields import any_fields, record_values
    from lazytinker.ui.zoom import item_json

    session = SessionInfo(
        "s-1", created_at=datetime(2026, 1, 2, tzinfo=UTC), training_run_ids=("s-1:train:0",)
    )
    shown = json.loads(item_json(session))
    assert shown["session_id"] == "s-1"
    assert shown["created_at"].startswith("2026-01-02")
    assert shown["training_run_ids"] == ["s-1:train:0"]
    fields = any_fields(LocalChange(added=("a",)), None)  # type: ignore[arg-type]
    assert [f.label for f in fields.groups[0]] == ["added", "updated", "removed"]
    assert record_values("text") is None
    state = LocalState(runs={}, folder_of_run={"r": "k"})
    assert json.loads(item_json(state))["folder_of_run"] == {"r": "k"}
    operation = Operation("delete", 2, failures=[ActionResult("tinker://r/weights/a", False)])
    (failure,) = json.loads(item_json(operation))["failures"]
    assert failure == {
        "path": "tinker://r/weights/a",
        "ok": False,
        "message": "",
        "attempted": True,
    }
    assert record_values(MetricCurve) is None  # a class is not a record
