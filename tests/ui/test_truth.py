"""Every screen tells the truth (issue 14), against the stand-in server: what an empty pane says,
one banner for the server's trouble, the header's watch, healing by itself, titles that follow
the sort, a status line that follows the watch, one clock."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from textual.widgets import Static

from lazytinker.api.client import TinkerAPI
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import Connection
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals import DeleteModal, TtlModal
from lazytinker.ui.table import VirtualTable

from .harness import FIXED_NOW, make_app, make_store, profile_for, settle


def main(app: LazytinkerApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def painted(table: VirtualTable[object], line: int = 1) -> str:
    """The text the table paints on one of its lines (0 is the header)."""
    return table.render_line(line).text.strip()


def rendered(widget: Static) -> str:
    return str(widget.render())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_filter_with_no_match_says_so_not_that_there_are_no_runs(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("slash", *"zqx", "enter")
        await pilot.pause()
        assert screen.runs.row_count == 0
        said = painted(screen.runs)
        assert "No row matches /zqx" in said
        assert "esc clears" in said
        assert "No training runs yet" not in said
        await pilot.press("escape")
        await pilot.pause()
        assert screen.runs.row_count == len(store.runs)


async def test_storage_refused_with_403_says_why_and_claims_nothing(server) -> None:
    store = make_store(server.url, key="tml-user")  # a member without the admin role
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("5")
        await settle(pilot, lambda: "storage" in store.errors)
        await pilot.pause()
        pane = screen.panes["storage"]
        assert "needs an admin role" in rendered(pane.error_line)
        assert pane.error_line.has_class("-shown")
        # The rows could not be read: the table claims nothing about them.
        assert "No storage used" not in painted(screen.view_table("storage"))
        assert painted(screen.view_table("storage")) == ""
        # One pane's refusal is not the whole server's trouble: no banner, still connected.
        assert not screen.problem.shown
        assert store.connection is Connection.CONNECTED


async def test_a_rejected_key_is_one_banner_and_the_header_is_not_watching(server) -> None:
    store = make_store(server.url, key="tml-rejected", refresh=0.2)
    app = make_app(store, watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, lambda: store.connection is Connection.KEY_REJECTED)
        screen = main(app)
        await settle(pilot, lambda: screen.problem.shown)
        assert "rejected the API key" in rendered(screen.problem)
        header = rendered(screen.header)
        assert "watching" not in header.replace("not watching", "")
        assert "not watching" in header
        # Said once, for the whole screen: no pane repeats it.
        for pane in (screen.browse.runs, screen.browse.sessions):
            assert not pane.error_line.has_class("-shown")
            assert "No training runs yet" not in painted(pane.table)


async def test_an_unreachable_host_heals_by_itself(start_server) -> None:
    port = free_port()
    store = make_store(f"http://127.0.0.1:{port}", refresh=0.2)
    app = make_app(store, watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = main(app)
        await settle(pilot, lambda: screen.problem.shown and store.failures >= 1)
        assert "Trying again by itself" in rendered(screen.problem)
        assert "retrying every" in rendered(screen.header)
        # The server comes up where the app is knocking; nobody presses a key.
        start_server(port=port)
        await settle(pilot, lambda: store.runs.loaded and not screen.problem.shown, tries=400)
        await settle(pilot, lambda: "● watching" in rendered(screen.header))
        assert store.connection is Connection.CONNECTED
        assert screen.runs.row_count == len(store.runs) > 0


async def test_titles_follow_the_real_sort(server) -> None:
    store = make_store(server.url)
    app = make_app(store)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("2")
        await settle(pilot, lambda: store.user_checkpoints.loaded)
        pane = screen.panes["all-checkpoints"]

        def title() -> str:
            return str(pane.border_title)

        assert "newest first" in title()
        await pilot.press("S")
        assert "biggest first" in title()
        assert "newest first" not in title()
        await pilot.press("A")
        assert "oldest first" in title()
        # `o` offers the columns: `x` is Expires, soonest first and `never` last.
        await pilot.press("o", "x")
        await pilot.pause()
        assert "soonest expiry first" in title()
        table = screen.view_table("all-checkpoints")
        expiries = [table.get(k).expires_at for k in table.visible_keys()]  # type: ignore[union-attr]
        dated = [e for e in expiries if e is not None]
        assert dated
        assert dated == sorted(dated)
        assert expiries[: len(dated)] == dated  # every `never` after every date


async def test_the_status_line_follows_a_watch_change(server) -> None:
    store = make_store(server.url, refresh=0.3)
    app = make_app(store, watch=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.checkpoints.row_count > 1)
        await pilot.pause(0.6)
        run_id = screen.current_run
        assert run_id is not None
        before = screen.checkpoints.row_count
        assert f"{before} shown" in rendered(screen.status)
        # Another client deletes the last checkpoint (not the highlighted one).
        gone = screen.checkpoints.visible_keys()[-1]
        async with TinkerAPI(profile_for(server.url).target()) as api:
            await api.delete_checkpoint(CheckpointRef.parse(gone))
        await settle(pilot, lambda: screen.checkpoints.row_count == before - 1, tries=400)
        # No key was pressed: the watch's change alone moved the status line.
        await settle(pilot, lambda: f"{before - 1} shown" in rendered(screen.status))


async def test_one_moment_reads_the_same_in_table_detail_and_modal(start_server) -> None:
    server = start_server(now=FIXED_NOW)
    store = make_store(server.url, now=lambda: FIXED_NOW)
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.checkpoints.row_count > 0)
        key = screen.checkpoints.cursor_key
        assert key is not None
        cells = dict(
            zip(
                [c.key for c in screen.checkpoints.columns],
                screen.checkpoints.row_text(key),
                strict=True,
            )
        )
        created = cells["created"]  # "3h ago"
        assert created.endswith("ago")
        assert f"({created})" in rendered(screen.detail)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, DeleteModal))
        assert created in app.screen.query_one("#listing", Static).content.plain  # type: ignore[union-attr]
        await pilot.press("n")


async def test_a_seven_day_expiry_set_now_reads_seven_days(server) -> None:
    store = make_store(server.url, now=lambda: datetime.now(UTC))
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: store.runs.loaded)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.checkpoints.row_count > 0)
        key = screen.checkpoints.cursor_key
        assert key is not None
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, TtlModal))
        await pilot.press("7", "d", "enter")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))
        expires = [c.key for c in screen.checkpoints.columns].index("expires")

        def cell() -> str:
            return screen.checkpoints.row_text(key)[expires]

        await settle(pilot, lambda: cell() == "in 7d")
        assert "(in 7d)" in rendered(screen.detail)
