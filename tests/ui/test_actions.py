"""Checkpoint actions end to end (issue 6): keys and modals in the app, results read back from the
stand-in server over HTTP through a second client (never through the UI under test).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input

from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import NotFoundError
from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.config import Profile
from lazytinker.server.runner import ServerThread
from lazytinker.store import Store
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals import ConfirmModal, DeleteModal, GotoModal, TtlModal
from tests.client_asgi import serve

KEY = "tml-demo"
SIZE = (180, 50)


def profile_for(server: ServerThread | str, key: str = KEY) -> Profile:
    """A profile pointing at the stand-in server (or at a URL in front of it)."""
    url = server if isinstance(server, str) else server.url
    return Profile(name="test", flavor="tinker", base_url=url, api_key=key, key_source="test")


@asynccontextmanager
async def reader(server: ServerThread) -> AsyncIterator[TinkerAPI]:
    """A second client, independent of the app, to read what the server now says."""
    async with TinkerAPI(profile_for(server).target()) as api:
        await api.connect()
        yield api


@dataclass(frozen=True)
class Toast:
    """One notification the app showed."""

    message: str
    severity: str


class Session:
    """A running app on a store connected to the server, with every toast it showed recorded."""

    def __init__(self, app: LazytinkerApp, pilot: Pilot[None], store: Store) -> None:
        self.app = app
        self.pilot = pilot
        self.store = store
        self.toasts: list[Toast] = []
        original = app.notify

        def recording_notify(message: str, **kwargs: Any) -> None:
            self.toasts.append(Toast(str(message), kwargs.get("severity", "information")))
            original(message, **kwargs)

        app.notify = recording_notify  # type: ignore[method-assign]

    @property
    def screen(self) -> MainScreen:
        screens = [s for s in self.app.screen_stack if isinstance(s, MainScreen)]
        assert screens, "the main screen is not open"
        return screens[0]

    async def until(self, what: str, condition: Callable[[], bool], limit: float = 15.0) -> None:
        """Let the app run until `condition` holds; fail naming `what` otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await self.pilot.pause(0.05)

    async def modal(self, kind: type[Any]) -> Any:
        """Wait for a modal of this type to be on top, and return it."""
        await self.until(f"{kind.__name__} to open", lambda: isinstance(self.app.screen, kind))
        await self.pilot.pause()
        return self.app.screen

    async def goto(self, path: str) -> None:
        """`:` + the path + enter: the checkpoints pane opens with the cursor on that checkpoint."""
        await self.until("runs to load", lambda: len(self.store.runs) > 0)
        await self.pilot.press("colon")
        modal = await self.modal(GotoModal)
        # Typing 70 characters through Pilot costs ~80 ms each; one test types a path in full.
        modal.query_one("#path", Input).value = path
        await self.pilot.press("enter")
        table = self.screen.checkpoints
        await self.until(f"the cursor on {path}", lambda: table.cursor_key == path)
        await self.until("the checkpoints pane in focus", lambda: self.screen.focused is table)

    def messages(self, severity: str | None = None) -> list[str]:
        """Every toast so far (of one severity, if given)."""
        return [str(t.message) for t in self.toasts if severity in (None, t.severity)]


@asynccontextmanager
async def running_app(
    server: ServerThread | str, *, read_only: bool = False, key: str = KEY
) -> AsyncIterator[Session]:
    """The real app (watch off, so only our keys cause requests) on the stand-in server."""
    store = Store(TinkerAPI(profile_for(server, key).target()), refresh=60, read_only=read_only)
    app = LazytinkerApp(store, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        session = Session(app, pilot, store)
        await session.until("the main screen", lambda: isinstance(app.screen, MainScreen))
        yield session


async def owned_checkpoints(api: TinkerAPI) -> list[Checkpoint]:
    """Every checkpoint of the caller's own, uncorrupted runs, as the server says now."""
    runs = await api.list_training_runs(limit=100)
    found: list[Checkpoint] = []
    for run in runs.training_runs:
        if run.corrupted:
            continue
        found.extend((await api.list_checkpoints(run.training_run_id)).checkpoints)
    return found


async def server_checkpoint(api: TinkerAPI, path: str) -> Checkpoint | None:
    """One checkpoint as the server has it now, or None when it does not exist."""
    ref = CheckpointRef.parse(path)
    try:
        listing = await api.list_checkpoints(ref.run_id)
    except NotFoundError:
        return None
    return next((c for c in listing.checkpoints if c.path == path), None)


async def pick(
    server: ServerThread, test: Callable[[Checkpoint], bool], count: int = 1
) -> list[Checkpoint]:
    """Checkpoints of one owned run that pass `test` (the first run that has `count` of them)."""
    async with reader(server) as api:
        runs = await api.list_training_runs(limit=100)
        for run in runs.training_runs:
            if run.corrupted:
                continue
            listing = await api.list_checkpoints(run.training_run_id)
            chosen = [c for c in listing.checkpoints if test(c)]
            if len(chosen) >= count:
                return chosen[:count]
    pytest.fail(f"the seed has no run with {count} such checkpoints")


def private(c: Checkpoint) -> bool:
    return not c.public


def public(c: Checkpoint) -> bool:
    return c.public


async def eventually(
    session: Session, what: str, check: Callable[[], Awaitable[bool]], limit: float = 15.0
) -> None:
    """Poll the server (through `check`) while the app runs, until `check` says yes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"the server never reached: {what}")
        await session.pilot.pause(0.1)


# --- publish / unpublish ---------------------------------------------------------------------


async def test_publish_with_p_and_confirm(server: ServerThread) -> None:
    (target,) = await pick(server, private)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await s.pilot.press("p")
        modal = await s.modal(ConfirmModal)
        assert target.path in str(modal.query_one("#body").render())
        assert "public" in str(modal.query_one("#body").render())
        await s.pilot.press("y")

        async def is_public() -> bool:
            now = await server_checkpoint(api, target.path)
            return now is not None and now.public

        await eventually(s, "public", is_public)
        await s.until("the row shows public", lambda: s.screen.checkpoints.get(target.path).public)
        assert not s.messages("error")


async def test_unpublish_with_p_and_confirm(server: ServerThread) -> None:
    (target,) = await pick(server, public)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await s.pilot.press("p")
        modal = await s.modal(ConfirmModal)
        assert "private" in str(modal.query_one("#body").render())
        await s.pilot.press("y")

        async def is_private() -> bool:
            now = await server_checkpoint(api, target.path)
            return now is not None and not now.public

        await eventually(s, "private", is_private)
        row = s.screen.checkpoints
        await s.until("the row shows private", lambda: not row.get(target.path).public)


async def test_cancel_changes_nothing_on_the_server(server: ServerThread) -> None:
    (target,) = await pick(server, private)
    async with reader(server) as api:
        before = await server_checkpoint(api, target.path)
    async with running_app(server) as s:
        await s.goto(target.path)
        for key, modal, cancel in (
            ("p", ConfirmModal, "n"),
            ("p", ConfirmModal, "escape"),
            ("p", ConfirmModal, "enter"),  # focus starts on No
            ("t", TtlModal, "escape"),
            ("d", DeleteModal, "escape"),
            ("d", DeleteModal, "enter"),
        ):
            await s.pilot.press(key)
            await s.modal(modal)
            await s.pilot.press(cancel)
            await s.until("the modal to close", lambda: isinstance(s.app.screen, MainScreen))
        await s.pilot.pause(0.3)
        assert s.screen.checkpoints.get(target.path) == before
    async with reader(server) as api:
        assert await server_checkpoint(api, target.path) == before


async def test_publish_409_reconciles_without_a_failure(server: ServerThread) -> None:
    (target,) = await pick(server, private)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        # Another client publishes it meanwhile: the app still shows it private.
        await api.publish_checkpoint(CheckpointRef.parse(target.path))
        assert not s.screen.checkpoints.get(target.path).public
        await s.pilot.press("p")
        await s.modal(ConfirmModal)
        await s.pilot.press("y")
        await s.until("a toast about the reconcile", lambda: bool(s.messages()))
        await s.until("the row shows public", lambda: s.screen.checkpoints.get(target.path).public)
        assert any("already public" in m for m in s.messages()), s.messages()
        assert not s.messages("error")
        now = await server_checkpoint(api, target.path)
        assert now is not None
        assert now.public


# --- TTL -------------------------------------------------------------------------------------


async def test_ttl_set_and_removed(server: ServerThread) -> None:
    (target,) = await pick(server, lambda c: c.expires_at is None)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await s.pilot.press("t")
        modal = await s.modal(TtlModal)
        await s.pilot.press(*"7d")
        await s.pilot.pause()
        assert "New expiry" in str(modal.query_one("#preview").render())
        asked_at = datetime.now(UTC)
        await s.pilot.press("enter")

        async def has_expiry() -> bool:
            now = await server_checkpoint(api, target.path)
            return now is not None and now.expires_at is not None

        await eventually(s, "an expiry", has_expiry)
        now = await server_checkpoint(api, target.path)
        assert now is not None
        assert now.expires_at is not None
        # The server computed the date from its own clock: about seven days, not an hour or a year.
        assert abs(now.expires_at - (asked_at + timedelta(days=7))) < timedelta(hours=1)
        await s.until(
            "the row shows the expiry",
            lambda: s.screen.checkpoints.get(target.path).expires_at is not None,
        )

        await s.pilot.press("t")
        await s.modal(TtlModal)
        await s.pilot.press(*"never", "enter")

        async def no_expiry() -> bool:
            now = await server_checkpoint(api, target.path)
            return now is not None and now.expires_at is None

        await eventually(s, "no expiry", no_expiry)
        await s.until(
            "the row shows no expiry",
            lambda: s.screen.checkpoints.get(target.path).expires_at is None,
        )
        assert not s.messages("error")


async def test_ttl_bad_input_is_refused_and_sends_nothing(server: ServerThread) -> None:
    (target,) = await pick(server, lambda c: c.expires_at is None)
    async with running_app(server) as s:
        await s.goto(target.path)
        await s.pilot.press("t")
        modal = await s.modal(TtlModal)
        for bad in ("0", "-3d", "11y", "banana"):
            modal.query_one("#ttl").value = ""
            await s.pilot.press(*bad, "enter")
            await s.pilot.pause()
            assert s.app.screen is modal
            assert "1 hour to 10 years" in str(modal.query_one("#preview").render())
        await s.pilot.press("escape")
    async with reader(server) as api:
        now = await server_checkpoint(api, target.path)
        assert now is not None
        assert now.expires_at is None


# --- delete ----------------------------------------------------------------------------------


async def test_delete_one(server: ServerThread) -> None:
    (target,) = await pick(server, lambda c: True)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await s.pilot.press("d")
        modal = await s.modal(DeleteModal)
        assert [i.path for i in modal.items] == [target.path]
        await s.pilot.press("y")

        async def gone() -> bool:
            return await server_checkpoint(api, target.path) is None

        await eventually(s, "deleted", gone)
        await s.until("the row is gone", lambda: s.screen.checkpoints.get(target.path) is None)
        assert not s.messages("error")


async def test_delete_a_selection_of_five_across_a_filter(server: ServerThread) -> None:
    chosen = await pick(server, lambda c: True, count=6)
    keep, targets = chosen[5], chosen[:5]
    async with running_app(server) as s, reader(server) as api:
        await s.goto(targets[0].path)
        table = s.screen.checkpoints
        for target in targets:
            assert table.move_to_key(target.path)
            await s.pilot.press("space")
        assert {c.path for c in table.selected_items()} == {t.path for t in targets}
        # A filter that hides some selected rows must not drop them from the action.
        name = CheckpointRef.parse(targets[0].path).name
        await s.pilot.press("slash", *name, "enter")
        await s.until("the filter", lambda: len(table.visible_keys()) < table.total_count)
        await s.pilot.press("d")
        modal = await s.modal(DeleteModal)
        assert sorted(i.path for i in modal.items) == sorted(t.path for t in targets)
        await s.pilot.press("y")

        async def all_gone() -> bool:
            return all([await server_checkpoint(api, t.path) is None for t in targets])

        await eventually(s, "all five deleted", all_gone)
        assert await server_checkpoint(api, keep.path) is not None
        await s.until("the rows are gone", lambda: all(table.get(t.path) is None for t in targets))
        assert table.get(keep.path) is not None
        assert not s.messages("error")


# --- refusals --------------------------------------------------------------------------------


def refusing(
    app: Any,
    status: int,
    method: str,
    contains: str,
    *,
    ending: bool = False,
    when: Callable[[], bool] = lambda: True,
) -> Any:
    """The stand-in server's own ASGI app, except that one route answers `status` (403 cannot
    be had from the stand-in on a mutation: it answers 404 to a caller who does not own the run).
    """

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        hit = (path.endswith(contains) if ending else contains in path) and when()
        if scope["type"] == "http" and scope["method"] == method and hit:
            body = json.dumps({"detail": f"Refused with {status} by the test"}).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapper


REFUSALS = [
    ("p", ConfirmModal, ["y"], "POST", "/publish"),
    ("t", TtlModal, ["7", "d", "enter"], "PUT", "/ttl"),
    ("d", DeleteModal, ["y"], "DELETE", "/checkpoints/"),
]


@pytest.mark.parametrize("status", [403, 500])
@pytest.mark.parametrize(("key", "modal", "answer", "method", "route"), REFUSALS)
async def test_refusal_leaves_the_ui_as_the_server_with_a_toast(
    server: ServerThread,
    status: int,
    key: str,
    modal: type[Any],
    answer: list[str],
    method: str,
    route: str,
) -> None:
    (target,) = await pick(server, lambda c: not c.public and c.expires_at is None)
    async with reader(server) as api:
        before = await server_checkpoint(api, target.path)
    with serve(refusing(server.app, status, method, route)) as url:
        async with running_app(url) as s:
            await s.goto(target.path)
            await s.pilot.press(key)
            await s.modal(modal)
            await s.pilot.press(*answer)
            await s.until("an error toast", lambda: bool(s.messages("error")))
            said = s.messages("error")
            assert any(target.path in m and str(status) in m for m in said), said
            await s.pilot.pause(0.3)
            shown = s.screen.checkpoints.get(target.path)
    async with reader(server) as api:
        assert await server_checkpoint(api, target.path) == before
    assert shown == before, "the row was not rolled back to what the server has"


async def test_500_from_the_servers_faults_rolls_back_publish(start_server: Any) -> None:
    server = start_server(faults="500:1@/publish")
    (target,) = await pick(server, private)
    async with running_app(server) as s:
        await s.goto(target.path)
        await s.pilot.press("p")
        await s.modal(ConfirmModal)
        await s.pilot.press("y")
        await s.until("an error toast", lambda: bool(s.messages("error")))
        assert any(target.path in m for m in s.messages("error")), s.messages("error")
        await s.until(
            "the row rolled back", lambda: not s.screen.checkpoints.get(target.path).public
        )
    async with reader(server) as api:
        now = await server_checkpoint(api, target.path)
        assert now is not None
        assert not now.public


@pytest.mark.parametrize(
    ("key", "modal", "answer"),
    [
        ("p", ConfirmModal, ["y"]),
        ("t", TtlModal, ["7", "d", "enter"]),
        ("d", DeleteModal, ["y"]),
    ],
)
async def test_deleted_elsewhere_says_so_and_removes_the_row(
    server: ServerThread, key: str, modal: type[Any], answer: list[str]
) -> None:
    (target,) = await pick(server, private)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await api.delete_checkpoint(CheckpointRef.parse(target.path))
        await s.pilot.press(key)
        await s.modal(modal)
        await s.pilot.press(*answer)
        await s.until("the row is gone", lambda: s.screen.checkpoints.get(target.path) is None)
        await s.until("a toast", lambda: bool(s.toasts))
        said = [t.message for t in s.toasts]
        assert any(
            target.path in m and ("no longer exists" in m or "already gone" in m) for m in said
        ), said


@pytest.mark.parametrize(("key", "modal"), [("p", ConfirmModal), ("d", DeleteModal)])
async def test_another_users_checkpoint_refuses_and_stays(
    server: ServerThread, key: str, modal: type[Any]
) -> None:
    async with reader(server) as api:
        everyone = await api.list_training_runs(limit=100, access_scope="accessible")
        mine = {r.training_run_id for r in (await api.list_training_runs(limit=100)).training_runs}
        theirs = [r for r in everyone.training_runs if r.training_run_id not in mine]
        assert theirs, "the seed has no runs of another user"
        listing = await api.list_checkpoints(theirs[0].training_run_id)
        target = listing.checkpoints[0]
    async with running_app(server) as s:
        await s.goto(target.path)
        await s.pilot.press(key)
        await s.modal(modal)
        await s.pilot.press("y")
        await s.until("a toast", lambda: bool(s.toasts))
        await s.pilot.pause(0.3)
        refused = [t.message for t in s.toasts if t.severity != "information"]
        shown = s.screen.checkpoints.get(target.path)
    async with reader(server) as api:
        now = await server_checkpoint(api, target.path)
    assert any(target.path in m for m in refused), s.toasts
    assert not any("no longer exists" in m or "already gone" in m for m in refused), s.toasts
    # The UI agrees with the server: the checkpoint is still there and unchanged.
    assert now is not None
    assert shown == now


# --- read-only, copy, go to ------------------------------------------------------------------


async def test_read_only_refuses_every_mutation(server: ServerThread) -> None:
    (target,) = await pick(server, private)
    async with reader(server) as api:
        before = await server_checkpoint(api, target.path)
    async with running_app(server, read_only=True) as s:
        await s.goto(target.path)
        for key in ("p", "t", "d"):
            count = len(s.toasts)
            await s.pilot.press(key)
            await s.until(f"a refusal for {key}", lambda c=count: len(s.toasts) > c)
            assert isinstance(s.app.screen, MainScreen), f"{key} opened a modal in read-only mode"
            assert "Read-only" in str(s.toasts[-1].message)
        # The store refuses too, whatever path a mutation takes to it.
        ref = CheckpointRef.parse(target.path)
        for action in (s.store.publish, s.store.unpublish, s.store.delete):
            with pytest.raises(Exception, match="Read-only"):
                await action([ref])
        with pytest.raises(Exception, match="Read-only"):
            await s.store.set_ttl([ref], 3600)
    async with reader(server) as api:
        assert await server_checkpoint(api, target.path) == before


async def test_y_copies_the_path_with_osc52(server: ServerThread) -> None:
    (target,) = await pick(server, lambda c: True)
    async with running_app(server) as s:
        written: list[str] = []
        copied: list[str] = []
        original = s.app.copy_to_clipboard

        def spy(text: str) -> None:
            copied.append(text)
            original(text)

        s.app.copy_to_clipboard = spy  # type: ignore[method-assign]
        driver = s.app._driver
        assert driver is not None
        original_write = driver.write

        def tap(data: str) -> None:
            written.append(data)
            original_write(data)

        driver.write = tap  # type: ignore[method-assign]
        await s.goto(target.path)
        await s.pilot.press("y")
        await s.pilot.pause()
        assert copied == [target.path]
        assert s.app.clipboard == target.path
        import base64

        osc52 = f"\x1b]52;c;{base64.b64encode(target.path.encode()).decode()}\a"
        assert osc52 in written


async def test_goto_a_missing_checkpoint_says_so(server: ServerThread) -> None:
    (target,) = await pick(server, lambda c: True)
    missing = target.path.rsplit("/", 1)[0] + "/does-not-exist"
    async with running_app(server) as s:
        await s.until("runs to load", lambda: len(s.store.runs) > 0)
        await s.pilot.press("colon")
        await s.modal(GotoModal)
        await s.pilot.press(*missing, "enter")
        await s.until("a toast", lambda: bool(s.messages("error")))
        assert len(s.messages("error")) == 1
        assert "\n" not in s.messages("error")[0]
        assert isinstance(s.app.screen, MainScreen)


async def test_actions_from_the_command_palette(server: ServerThread) -> None:
    (target,) = await pick(server, private)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await s.pilot.press("ctrl+p")
        await s.pilot.pause(0.3)
        await s.pilot.press(*"Publish", "enter")
        await s.modal(ConfirmModal)
        await s.pilot.press("y")

        async def is_public() -> bool:
            now = await server_checkpoint(api, target.path)
            return now is not None and now.public

        await eventually(s, "public via the palette", is_public)


@pytest.mark.parametrize("run_id", ["[bold]x:train:0", "[on red]x:train:0", "x[b]:train:0"])
async def test_a_typed_path_with_markup_shows_literally(server: ServerThread, run_id: str) -> None:
    path = f"tinker://{run_id}/weights/nope"
    async with running_app(server) as s:
        await s.until("runs to load", lambda: len(s.store.runs) > 0)
        await s.pilot.press("colon")
        modal = await s.modal(GotoModal)
        modal.query_one("#path", Input).value = path
        await s.pilot.press("enter")
        await s.until("a toast", lambda: bool(s.toasts))
        await s.pilot.pause(0.3)
        # Rendered as Textual's Toast renders a notification: markup only when it says so.
        shown = [
            (Content.from_markup(n.message) if n.markup else Content(n.message)).plain
            for n in s.app._notifications
        ]
        assert any(run_id in text for text in shown), shown
        assert s.app.is_running


@pytest.mark.parametrize(
    ("argv", "config"),
    [(["--read-only"], ""), ([], "[ui]\nread_only = true\n")],
    ids=["flag", "config"],
)
async def test_read_only_from_the_command_line_and_the_config(
    server: ServerThread,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    argv: list[str],
    config: str,
) -> None:
    from lazytinker.cli import app as launch
    from lazytinker.cli import launch as on_the_loop

    settings = tmp_path / "config.toml"
    settings.write_text(config)
    monkeypatch.setenv("LAZYTINKER_CONFIG", str(settings))
    monkeypatch.setenv("TINKER_API_KEY", KEY)
    given: list[tuple[Any, ...]] = []
    # The command line resolves everything, then hands over to the event loop: take over
    # there, and build the app on this test's loop as the command line would have.
    monkeypatch.setattr(on_the_loop, "run", lambda *args: given.append(args) or 0)
    assert launch.main([*argv, "--base-url", server.url]) == 0
    (resolved,) = given
    app = await on_the_loop.build_app(*resolved)
    assert app.store is not None
    assert app.store.read_only
    (target,) = await pick(server, private)
    async with app.run_test(size=SIZE) as pilot:
        s = Session(app, pilot, app.store)
        await s.until("the main screen", lambda: isinstance(app.screen, MainScreen))
        await s.goto(target.path)
        await pilot.press("p")
        await s.until("a refusal", lambda: bool(s.toasts))
        assert "Read-only" in s.toasts[-1].message
        assert isinstance(app.screen, MainScreen)
    async with reader(server) as api:
        now = await server_checkpoint(api, target.path)
        assert now is not None
        assert not now.public


async def test_bulk_delete_goes_on_past_a_refusal_and_lists_it(server: ServerThread) -> None:
    targets = await pick(server, lambda c: True, count=3)
    refused = CheckpointRef.parse(targets[1].path)
    suffix = f"/{refused.run_id}/checkpoints/{refused.checkpoint_id}"
    with serve(refusing(server.app, 403, "DELETE", suffix, ending=True)) as url:
        async with running_app(url) as s:
            await s.goto(targets[0].path)
            table = s.screen.checkpoints
            for target in targets:
                assert table.move_to_key(target.path)
                await s.pilot.press("space")
            await s.pilot.press("d")
            modal = await s.modal(DeleteModal)
            assert len(modal.items) == 3
            await s.pilot.press("y")
            await s.until("the failure listed", lambda: bool(s.messages("error")))
            said = s.messages("error")
            assert any(refused.path in m and "403" in m for m in said), said
            assert any("2 of 3" in m for m in said), said
            await s.until("the deleted rows gone", lambda: table.get(targets[0].path) is None)
            assert table.get(targets[2].path) is None
            assert table.get(refused.path) is not None
    async with reader(server) as api:
        assert await server_checkpoint(api, targets[0].path) is None
        assert await server_checkpoint(api, targets[2].path) is None
        assert await server_checkpoint(api, refused.path) is not None


async def test_publish_and_ttl_act_on_a_selection(server: ServerThread) -> None:
    targets = await pick(server, lambda c: not c.public and c.expires_at is None, count=3)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(targets[0].path)
        table = s.screen.checkpoints
        for target in targets:
            assert table.move_to_key(target.path)
            await s.pilot.press("space")
        status = str(s.screen.status.render())
        assert "3 selected" in status
        assert "would free" in status
        await s.pilot.press("p")
        modal = await s.modal(ConfirmModal)
        body = str(modal.query_one("#body").render())
        assert all(t.path in body for t in targets), body
        await s.pilot.press("y")

        async def all_public() -> bool:
            now = [await server_checkpoint(api, t.path) for t in targets]
            return all(c is not None and c.public for c in now)

        await eventually(s, "all three public", all_public)
        for target in targets:
            assert table.move_to_key(target.path)
            await s.pilot.press("space")
        await s.pilot.press("t")
        ttl = await s.modal(TtlModal)
        assert sorted(ttl.targets) == sorted(t.path for t in targets)
        await s.pilot.press(*"12h", "enter")

        async def all_expiring() -> bool:
            now = [await server_checkpoint(api, t.path) for t in targets]
            return all(c is not None and c.expires_at is not None for c in now)

        await eventually(s, "all three expiring", all_expiring)
        assert not s.messages("error")


async def test_unpublish_409_reconciles_without_a_failure(server: ServerThread) -> None:
    (target,) = await pick(server, public)
    async with running_app(server) as s, reader(server) as api:
        await s.goto(target.path)
        await api.unpublish_checkpoint(CheckpointRef.parse(target.path))
        await s.pilot.press("p")
        await s.modal(ConfirmModal)
        await s.pilot.press("y")
        await s.until("a toast about the reconcile", lambda: bool(s.messages()))
        await s.until(
            "the row shows private", lambda: not s.screen.checkpoints.get(target.path).public
        )
        assert any("already private" in m for m in s.messages()), s.messages()
        assert not s.messages("error")


async def test_publish_409_says_public_even_when_the_reread_fails(server: ServerThread) -> None:
    (target,) = await pick(server, private)
    ref = CheckpointRef.parse(target.path)
    conflict = refusing(server.app, 409, "POST", "/publish")
    listing = f"/training_runs/{ref.run_id}/checkpoints"
    armed: list[bool] = []
    with serve(
        refusing(conflict, 500, "GET", listing, ending=True, when=lambda: bool(armed))
    ) as url:
        async with running_app(url) as s:
            await s.goto(target.path)
            armed.append(True)
            await s.pilot.press("p")
            await s.modal(ConfirmModal)
            await s.pilot.press("y")
            await s.until("a toast about the conflict", lambda: bool(s.toasts))
            said = [t.message for t in s.toasts]
            # A 409 on publish means "already public", whatever a later read says or fails to.
            assert not any("already private" in m for m in said), said
            await s.pilot.pause(0.3)
            assert s.screen.checkpoints.get(target.path).public
