"""The app driven as a user would, against the stand-in server over real HTTP."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from textual import events

from lazytinker.api.client import TinkerAPI
from lazytinker.api.models import TrainingRun
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import Connection
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import VirtualTable

from .harness import make_app, make_store, profile_for, settle


def main(app: object) -> MainScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    return screen


def key_bar(app: object) -> str:
    """The key bar's text as painted."""
    return str(app.screen.query_one(KeyBar).render())  # type: ignore[attr-defined]


async def test_the_key_bar_offers_only_what_works_in_the_pane(server) -> None:
    store = make_store(server.url)
    app = LazytinkerApp(store, watch=False, keys={"export_trace": "E"})
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded and store.sessions.loaded)
        screen = main(app)
        await pilot.press("h")
        await settle(pilot, lambda: screen.sessions.has_focus)
        bar = key_bar(app)
        # A session: its trace can be exported (under the remapped key), nothing published.
        assert " E Export trace " in bar, bar
        assert " y Copy path " in bar, bar
        for absent in ("Publish", "Delete", "TTL", "Save", "Biggest"):
            assert absent not in bar, bar
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen
        # A run: neither the checkpoint keys nor the session's.
        await pilot.press("l")
        await settle(pilot, lambda: screen.runs.has_focus)
        bar = key_bar(app)
        for absent in ("Publish", "Delete", "Export trace"):
            assert absent not in bar, bar
        # A run's checkpoints: every checkpoint key, in the order the bar has always had.
        await pilot.press("enter")
        await settle(pilot, lambda: screen.checkpoints.has_focus)
        bar = key_bar(app)
        assert "esc Back  p Publish  d Delete  t TTL  s Save  y Copy path  S Biggest" in bar, bar
        assert "Export trace" not in bar
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("Static").render())
        assert "Publish" in text
        assert "Export trace" not in text


async def test_drill_from_a_session_to_a_run_to_its_checkpoints(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded and store.sessions.loaded)
        screen = main(app)
        assert screen.runs.row_count == len(store.runs) > 0
        await pilot.press("h")
        assert screen.sessions.has_focus
        session = screen.sessions.cursor_key
        assert session is not None
        await pilot.press("enter")
        await settle(pilot, lambda: screen.runs.has_focus)
        expected = store.runs_of_session(session)
        shown = screen.runs.visible_keys()
        assert shown
        assert set(shown) <= expected
        run_id = screen.runs.cursor_key
        assert run_id is not None
        await pilot.press("enter")
        await settle(pilot, lambda: store.run_checkpoints(run_id).loaded)
        async with TinkerAPI(profile_for(server.url).target()) as api:
            truth = await api.list_checkpoints(run_id)
        assert sorted(screen.checkpoints.visible_keys()) == sorted(
            c.path for c in truth.checkpoints
        )
        assert screen.checkpoints.has_focus
        assert run_id[-8:] in str(screen.panes["checkpoints"].border_title)
        # The detail panel shows the highlighted checkpoint with its weights info.
        first = screen.checkpoints.cursor_key
        await settle(pilot, lambda: first in store.weights_info)
        assert first is not None
        assert first in str(screen.detail.render())
        assert "weights: base" in str(screen.detail.render())
        await pilot.press("escape")
        assert screen.runs.has_focus
        await pilot.press("escape")
        assert screen.sessions.has_focus
        assert screen.runs.row_count == len(store.runs)


async def test_filter_sort_and_reverse(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        runs = screen.runs
        model = next(iter(store.runs)).base_model
        await pilot.press("slash")
        await pilot.press(*model)
        await pilot.press("enter")
        assert runs.has_focus
        assert 0 < runs.row_count < len(store.runs) or runs.row_count == len(
            [r for r in store.runs if model in r.base_model]
        )
        assert all(model in (runs.get(k).base_model) for k in runs.visible_keys())  # type: ignore[union-attr]
        assert f"/{model}" in str(screen.panes["runs"].border_title)
        await pilot.press("escape")
        assert runs.row_count == len(store.runs)
        # `o` offers the columns, each a letter away (`r`: Run); `o` again reverses.
        await pilot.press("o", "r")
        await pilot.pause()
        first = runs.visible_keys()
        assert first == sorted(first)
        await pilot.press("o", "o")
        await pilot.pause()
        assert runs.visible_keys() == sorted(first, reverse=True)
        await pilot.press("G")
        assert runs.cursor_key == runs.visible_keys()[-1]
        await pilot.press("g")
        assert runs.cursor_key == runs.visible_keys()[0]


async def test_all_checkpoints_view_is_newest_first_and_complete(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("2")
        await settle(pilot, lambda: store.user_checkpoints.loaded)
        table = screen.view_table("all-checkpoints")
        async with TinkerAPI(profile_for(server.url).target()) as api:
            page = await api.list_user_checkpoints(limit=1000)
        assert table.visible_keys() == [c.path for c in page.checkpoints]
        times = [table.get(k).time for k in table.visible_keys()]  # type: ignore[union-attr]
        assert times == sorted(times, reverse=True)
        # Selection adds up what it would free.
        await pilot.press("space", "space")
        assert len(table.selected) == 2
        assert "would free" in str(screen.status.render())


async def test_a_checkpoint_saved_by_the_live_server_appears_without_a_key(start_server) -> None:
    server = start_server(live=True, live_interval=0.3)
    store = make_store(server.url, refresh=0.3)
    app = make_app(store, watch=True)
    notices: list[str] = []
    store.on_notice(lambda n: notices.append(n.message))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = main(app)

        def active_runs() -> list[TrainingRun]:
            now = datetime.now(UTC)
            return [r for r in store.runs if (now - r.last_request_time).total_seconds() < 300]

        # The live server touches a run every 0.3 s; the watch brings it in.
        await settle(pilot, lambda: store.runs.loaded and bool(active_runs()))
        active = active_runs()
        screen.runs.move_to_key(active[0].training_run_id)
        await pilot.press("enter")
        run_id = active[0].training_run_id
        await settle(pilot, lambda: store.run_checkpoints(run_id).loaded)
        before = set(screen.checkpoints.visible_keys())
        await settle(pilot, lambda: len(screen.checkpoints.visible_keys()) > len(before), tries=400)
        new = set(screen.checkpoints.visible_keys()) - before
        assert new
        assert any(run_id in n for n in notices)


async def test_server_text_is_shown_literally(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.sessions.loaded)
        screen = main(app)
        names = [" ".join(screen.sessions.row_text(k)) for k in screen.sessions.visible_keys()]
        assert any("[bold red]x[/]" in n for n in names)
        await pilot.press("h")
        odd = next(s.session_id for s in store.sessions if "[bold" in (s.display_name or ""))
        screen.sessions.move_to_key(odd)
        await pilot.pause()
        assert "[bold red]x[/]" in str(screen.detail.render())
        line_texts = [screen.sessions.render_line(y).text for y in range(1, 10)]
        assert any("[bold" in t for t in line_texts)


async def test_unreachable_server_says_where_and_r_retries() -> None:
    store = make_store("http://127.0.0.1:9")
    store.display_url = "http://127.0.0.1:9"
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: store.connection is Connection.UNREACHABLE)
        screen = main(app)
        # Said at once ("Press r to retry"), then, once it waits to try again by itself,
        # "Trying again by itself every 2 s; press r to retry now".
        await settle(pilot, lambda: "press r to retry" in str(screen.problem.render()))
        text = str(screen.problem.render())
        assert "Could not reach http://127.0.0.1:9" in text
        assert "press r to retry" in text
        await pilot.press("r")
        # The retry's own failure is announced, then painted: wait for the start-up to end and
        # the problem to come back.
        await settle(
            pilot,
            lambda: not store.starting
            and store.connection is Connection.UNREACHABLE
            and screen.problem.has_class("-shown"),
        )
        assert screen.problem.has_class("-shown")


async def test_a_retry_cut_short_by_another_still_says_why() -> None:
    store = make_store("http://127.0.0.1:9")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = main(app)
        await settle(pilot, lambda: not store.starting and screen.problem.has_class("-shown"))
        # `r` twice in quick succession: the second retry's worker replaces the first.
        screen.startup(again=True)
        await pilot.pause()
        started = store.startup.task
        screen.startup(again=True)
        await settle(pilot, lambda: not store.starting and screen.problem.has_class("-shown"))
        assert started is not None
        assert not started.cancelled()
        assert store.connection is Connection.UNREACHABLE


async def test_rejected_key_is_explained(server) -> None:
    store = make_store(server.url, key="tml-not-a-real-key")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: main(app).problem.has_class("-shown"))
        text = str(main(app).problem.render())
        assert "rejected the API key" in text
        assert "TINKER_API_KEY" in text


async def test_hpcai_hides_sessions_and_shows_hpcai_paths(start_server) -> None:
    server = start_server(flavor="hpcai", api_keys=("tml-demo",))
    store = make_store(server.url, flavor="hpcai")
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        # Composed (a server that gains sessions would show it) but not shown.
        assert not screen.query_one("#sessions-pane").display
        await pilot.press("enter")
        run_id = screen.runs.cursor_key
        assert run_id is not None
        await settle(pilot, lambda: store.run_checkpoints(run_id).loaded)
        keys = screen.checkpoints.visible_keys()
        assert keys
        assert all(k.startswith("hpcai://") for k in keys)
        assert screen.panes["checkpoints"].check_action("publish", ()) is False
        # No user-wide listing on hpcai: the view reads every run's checkpoints instead.
        await pilot.press("2")
        assert screen.view == "all-checkpoints"
        await settle(pilot, lambda: store.user_checkpoints.loaded)
        assert store.fallbacks["user_checkpoints"].short == "from every run"
        assert "from every run" in str(screen.panes["all-checkpoints"].border_title)


async def test_read_only_refuses_before_any_modal(server) -> None:
    store = make_store(server.url, read_only=True)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("enter")
        run_id = screen.runs.cursor_key
        await settle(pilot, lambda: bool(screen.checkpoints.row_count))
        path = screen.checkpoints.cursor_key
        assert path is not None
        public_before = store.find_checkpoint(path).public  # type: ignore[union-attr]
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen
        async with TinkerAPI(profile_for(server.url).target()) as api:
            after = await api.list_checkpoints(CheckpointRef.parse(path).run_id)
        assert {c.path: c.public for c in after.checkpoints}[path] == public_before
        assert run_id


async def test_help_lists_keys_and_panes_have_ids(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        for table_id in ("sessions", "runs", "checkpoints"):
            assert isinstance(app.screen.query_one(f"#{table_id}"), VirtualTable)
            assert isinstance(app.screen.query_one(f"#{table_id}-pane"), Pane)
        # A view's pane is mounted when the view is first opened, and keeps its id.
        assert not app.screen.query("#all-checkpoints")
        for key, table_id in (("2", "all-checkpoints"), ("3", "samplers"), ("1", "runs")):
            await pilot.press(key)
            await pilot.pause()
            table = app.screen.query_one(f"#{table_id}", VirtualTable)
            assert table.has_focus
            assert isinstance(table.parent, Pane)
        # The help lists the keys that work where the user is: a checkpoint's, here.
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("question_mark")
        text = str(app.screen.query_one("Static").render())
        for description in ("Publish", "Delete", "Filter", "Watch", "Refresh", "Quit"):
            assert description in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_keys_remap_from_the_config_and_themes_apply(server) -> None:
    from lazytinker.ui.app import LazytinkerApp
    from lazytinker.ui.modals import ConfirmModal

    store = make_store(server.url)
    app = LazytinkerApp(store, watch=False, keys={"publish": "P"}, theme="ansi-dark")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        assert app.theme == "ansi-dark"
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.checkpoints.row_count > 0)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("P")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is screen)


async def test_the_command_palette_offers_views(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"storage usage")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.view == "storage")
        await settle(pilot, lambda: store.storage is not None)
        assert screen.view_table("storage").row_count == len(store.storage.data)  # type: ignore[union-attr]


async def test_filtering_keeps_the_table_size_and_the_detail_follows(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        runs, pane = screen.runs, screen.panes["runs"]
        height = runs.size.height
        await pilot.press("slash")
        assert pane.filter_box.has_focus
        # The focused box stays one line and shows its text (it used to draw a border over it).
        assert runs.size.height == height
        assert pane.filter_box.content_size.height == 1
        last = store.runs.items[runs.visible_keys()[-1]]
        await pilot.press(*last.training_run_id)
        await pilot.pause()
        assert runs.visible_keys() == [last.training_run_id]
        assert runs.size.height == height
        # The detail shows the one row left without waiting for the cursor to move.
        assert screen.detail.item is last
        await pilot.press("escape")
        await pilot.pause()
        assert runs.row_count == len(store.runs)
        assert runs.size.height == height


async def test_the_detail_follows_a_switch_of_view(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("2")
        await settle(pilot, lambda: store.user_checkpoints.loaded)
        await settle(pilot, lambda: screen.detail.item is not None)
        assert screen.detail.item is screen.view_table("all-checkpoints").get(
            screen.view_table("all-checkpoints").cursor_key or ""
        )
        await pilot.press("1")
        await pilot.pause()
        assert screen.detail.item is screen.runs.get(screen.runs.cursor_key or "")


async def test_the_painted_scrollbar_scrolls_on_click_and_wheel(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("2")
        await settle(pilot, lambda: store.user_checkpoints.loaded)
        table = screen.view_table("all-checkpoints")
        assert table.max_scroll_y > 0
        assert table.allow_vertical_scroll
        # A click low on the scrollbar column jumps down there.
        await pilot.click(table, offset=(table.size.width - 1, table.size.height - 1))
        await pilot.pause()
        assert table.scroll_offset.y == table.max_scroll_y
        table.post_message(events.MouseScrollUp(table, 3, 3, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert table.scroll_offset.y < table.max_scroll_y
        # The thumb and the track are painted in the last column of the rows, each its own style.
        bar = {list(table.render_line(y))[-1].style for y in range(1, table.size.height)}
        assert len(bar) >= 2


async def test_the_collector_is_off_while_typing_and_back_when_the_keys_pause(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        assert gc.isenabled()
        await pilot.press("slash", "t", "r")
        assert not gc.isenabled()
        await settle(pilot, gc.isenabled)
        # A pane that goes away never leaves it off.
        await pilot.press("a")
        assert not gc.isenabled()
    assert gc.isenabled()
