"""A scripted two-minute session of browsing and acting against a faulty server (issue 6).

The stand-in server answers with `500:0.2,503:0.1,429:0.1,slow:0.1,cut:0.05,badjson:0.05`. The
session drives the real app with keys only (drill into runs, switch views, filter, sort, refresh,
publish, TTL, delete, select, go to). Afterwards:
- no unhandled exception: the app is still running and `run_test` exits cleanly;
- every failure the store recorded reached the screen (a toast, a pane's error line, the detail
  panel, or the header's connection state);
- the UI agrees with the server, read back over HTTP through a second, fault-free server on the
  same SQLite file.

`LAZYTINKER_FAULT_SECONDS` shortens (or lengthens) the session; the default is 120 seconds.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.models import Checkpoint
from lazytinker.config import Profile
from lazytinker.server.runner import ServerThread
from lazytinker.store import Connection, Store
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals import ConfirmModal, DeleteModal, GotoModal, TtlModal
from lazytinker.ui.view_shelf import VIEW_CLASSES

FAULTS = "500:0.2,503:0.1,429:0.1,slow:0.1,cut:0.05,badjson:0.05"
SECONDS = float(os.environ.get("LAZYTINKER_FAULT_SECONDS", "120"))
KEY = "tml-demo"


class RecordingAPI:
    """The real client, passed through, noting every error it raises to the store."""

    def __init__(self, api: TinkerAPI) -> None:
        self._api = api
        self.raised: list[tuple[str, LazytinkerError]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._api, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        async def recorded(*args: Any, **kwargs: Any) -> Any:
            try:
                return await attribute(*args, **kwargs)
            except LazytinkerError as error:
                self.raised.append((name, error))
                raise

        return recorded


@dataclass
class Witness:
    """What the screen showed (toasts, pane errors, detail text) and what the store reported."""

    toasts: list[tuple[str, str]] = field(default_factory=list)
    pane_errors: list[str] = field(default_factory=list)
    store_errors: dict[str, set[str]] = field(default_factory=dict)
    not_connected_seen: bool = False

    def shown(self, message: str) -> bool:
        """Whether a message reached a toast or a pane's error line."""
        return any(message in text for text, _ in self.toasts) or any(
            message in text for text in self.pane_errors
        )


def watch(app: LazytinkerApp, store: Store, screen: MainScreen, witness: Witness) -> None:
    """Hook the app's notify, each pane's error line and the store's announcements."""
    notify = app.notify

    def recording_notify(message: str, **kwargs: Any) -> None:
        witness.toasts.append((str(message), str(kwargs.get("severity", "information"))))
        notify(message, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    for name in VIEW_CLASSES:  # every view is built (and mounted) when first opened: now
        screen.views[name]
    for pane in screen.panes.values():
        set_error = pane.set_error

        def recording_set_error(
            message: str | None, *, said_above: bool = False, _set: Any = set_error
        ) -> None:
            # `said_above`: the screen's banner shows the message instead of the pane.
            if message:
                witness.pane_errors.append(message)
            _set(message, said_above=said_above)

        pane.set_error = recording_set_error  # type: ignore[method-assign]

    def on_change(_change: Any) -> None:
        for collection, message in store.errors.items():
            witness.store_errors.setdefault(collection, set()).add(message)
        if store.connection is not Connection.CONNECTED:
            witness.not_connected_seen = True

    store.subscribe(on_change)


class Driver:
    """Keys a user would press, each step robust to whatever state the faults left."""

    def __init__(self, app: LazytinkerApp, pilot: Pilot[None], rng: random.Random) -> None:
        self.app = app
        self.pilot = pilot
        self.rng = rng
        self.steps = 0

    @property
    def screen(self) -> MainScreen:
        return next(s for s in self.app.screen_stack if isinstance(s, MainScreen))

    async def settle(self, seconds: float = 0.05) -> None:
        await self.pilot.pause(seconds)

    async def home(self) -> None:
        """Back to the main screen with no modal, no filter box focused."""
        for _ in range(5):
            if isinstance(self.app.screen, MainScreen) and not isinstance(self.app.focused, Input):
                return
            await self.pilot.press("escape")
            await self.settle()

    async def wait_modal(self, kind: type[Any]) -> bool:
        for _ in range(40):
            if isinstance(self.app.screen, kind):
                await self.settle()
                return True
            await self.settle()
        return False

    async def open_a_run(self) -> bool:
        """Browse view, runs pane, a random run, enter: its checkpoints."""
        await self.pilot.press("1")
        await self.settle()
        screen = self.screen
        if screen.problem.has_class("-shown"):
            await self.pilot.press("r")
            await self.settle(1.0)
            return False
        await self.pilot.press("h", "h", "h")
        if screen.panes["sessions"].is_mounted:
            await self.pilot.press("l")
        await self.settle()
        if self.app.focused is not screen.runs or not screen.runs.row_count:
            return False
        await self.pilot.press("g", *["j"] * self.rng.randrange(min(6, screen.runs.row_count)))
        await self.pilot.press("enter")
        for _ in range(60):
            await self.settle()
            if screen.checkpoints.row_count and screen.focused is screen.checkpoints:
                await self.pilot.press(
                    *["j"] * self.rng.randrange(min(5, screen.checkpoints.row_count))
                )
                return True
        return False

    async def confirm(self, key: str, modal: type[Any], answer: list[str]) -> None:
        await self.pilot.press(key)
        if await self.wait_modal(modal):
            await self.pilot.press(*answer)
        await self.settle(0.3)

    async def step(self) -> None:
        """One random thing a user does."""
        await self.home()
        self.steps += 1
        choice = self.rng.choice(
            [
                "views",
                "filter_sort",
                "refresh",
                "publish",
                "ttl",
                "ttl_never",
                "delete",
                "select_delete",
                "goto",
                "cancel",
            ]
        )
        if choice == "views":
            for key in self.rng.sample(["2", "3", "4", "5", "6", "1"], 3):
                await self.pilot.press(key)
                await self.settle(0.4)
            return
        if choice == "refresh":
            await self.pilot.press("r")
            await self.settle(0.5)
            return
        if not await self.open_a_run():
            return
        if choice == "filter_sort":
            await self.pilot.press("o", "o", "slash", "0", "enter", "j", "k")
            await self.settle(0.2)
            await self.pilot.press("escape")
        elif choice == "publish":
            await self.confirm("p", ConfirmModal, ["y"])
        elif choice == "ttl":
            await self.confirm("t", TtlModal, ["7", "d", "enter"])
        elif choice == "ttl_never":
            await self.confirm("t", TtlModal, [*"never", "enter"])
        elif choice == "delete":
            await self.confirm("d", DeleteModal, ["y"])
        elif choice == "select_delete":
            await self.pilot.press("space", "space")
            await self.confirm("d", DeleteModal, ["y"])
        elif choice == "cancel":
            await self.confirm(self.rng.choice("pdt"), object, [])
            await self.pilot.press("escape")
        elif choice == "goto":
            key = self.screen.checkpoints.cursor_key
            await self.pilot.press("escape", "colon")
            if key and await self.wait_modal(GotoModal):
                self.app.screen.query_one("#path", Input).value = key
                await self.pilot.press("enter")
                await self.settle(0.5)


async def server_truth(
    url: str, run_id: str | None
) -> tuple[set[str], dict[str, Checkpoint], dict[str, Checkpoint]]:
    """Owned runs, one run's checkpoints and every user checkpoint, from a fault-free server."""
    profile = Profile(name="truth", flavor="tinker", base_url=url, api_key=KEY, key_source="test")
    async with TinkerAPI(profile.target()) as api:
        await api.connect()
        runs = await api.list_training_runs(limit=1000)
        run_ids = {r.training_run_id for r in runs.training_runs}
        of_run: dict[str, Checkpoint] = {}
        if run_id is not None:
            of_run = {c.path: c for c in (await api.list_checkpoints(run_id)).checkpoints}
        everything = {c.path: c for c in (await api.list_user_checkpoints(limit=1000)).checkpoints}
    return run_ids, of_run, everything


def shape(checkpoint: Checkpoint | None) -> tuple[Any, ...] | None:
    """What a row shows that a mutation can change."""
    if checkpoint is None:
        return None
    return (checkpoint.path, checkpoint.public, checkpoint.expires_at, checkpoint.size_bytes)


async def refreshed_cleanly(driver: Driver, store: Store, view: str) -> None:
    """Press `r` until one refresh of what is on screen gets through every fault."""
    for _ in range(40):
        await driver.home()
        await driver.pilot.press(view)
        await driver.settle(0.3)
        if driver.screen.problem.has_class("-shown"):
            await driver.pilot.press("r")
            await driver.settle(1.0)
            continue
        await driver.pilot.press("r")
        await driver.settle(0.2)
        for _ in range(100):
            if not store.loading:
                break
            await driver.settle(0.1)
        if not any(name in store.errors for name in store.visible) and not store.loading:
            return
    pytest.fail(f"no clean refresh in 40 tries: {store.errors}")


@pytest.mark.slow
@pytest.mark.timeout(SECONDS + 300)
async def test_two_minutes_of_browsing_and_acting_under_faults(
    start_server: Callable[..., ServerThread], tmp_path: Path
) -> None:
    db = str(tmp_path / "server.sqlite")
    faulty = start_server(db_path=db, faults=FAULTS, seed=3, api_keys=(KEY,))
    profile = Profile(
        name="faulty", flavor="tinker", base_url=faulty.url, api_key=KEY, key_source="test"
    )
    api = RecordingAPI(TinkerAPI(profile.target()))
    store = Store(api, refresh=2.0)  # type: ignore[arg-type]
    app = LazytinkerApp(store, watch=True)
    witness = Witness()
    rng = random.Random(20261123)
    async with app.run_test(size=(160, 48)) as pilot:
        driver = Driver(app, pilot, rng)
        for _ in range(100):
            if isinstance(app.screen, MainScreen):
                break
            await pilot.pause(0.05)
        watch(app, store, driver.screen, witness)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SECONDS
        while loop.time() < deadline:
            await driver.step()
            assert app.is_running, "the app stopped during the session"

        # Let background actions finish, then compare what is on screen with the server.
        for _ in range(200):
            operation = store.operation
            if operation is None or operation.finished:
                break
            await pilot.pause(0.1)
        await driver.home()
        await pilot.press("w")  # watch off: the comparison reads a still picture
        await refreshed_cleanly(driver, store, "1")
        run_id = driver.screen.current_run
        run_rows = (
            {k: driver.screen.checkpoints.get(k) for k in driver.screen.checkpoints.visible_keys()}
            if run_id is not None
            else {}
        )
        shown_runs = set(store.runs.items)
        await refreshed_cleanly(driver, store, "2")
        await pilot.pause(0.3)
        table = driver.screen.view_table("all-checkpoints")
        all_rows = {k: table.get(k) for k in table.visible_keys()}
        assert app.is_running

    truth_server = start_server(db_path=db, api_keys=(KEY,))
    run_ids, of_run, everything = await server_truth(truth_server.url, run_id)

    print(
        f"\nsteps={driver.steps} raised={len(api.raised)} toasts={len(witness.toasts)} "
        f"pane_errors={len(witness.pane_errors)} store_errors={witness.store_errors}\n"
        + "\n".join(f"  {sev}: {msg}" for msg, sev in witness.toasts)
        + "\n"
        + "\n".join(f"  raised {name}: {type(e).__name__} {e}" for name, e in api.raised)
    )
    # The faults did happen and reached the store (else this test proves nothing).
    assert api.raised, "no failure reached the store: the faults were not exercised"
    assert driver.steps >= SECONDS / 15, f"only {driver.steps} steps ran"
    if SECONDS >= 60:  # a shortened run may not get an action through the faults
        acted = ("Deleted", "Expiry", "is now public", "is now private")
        assert any(word in text for text, _ in witness.toasts for word in acted), witness.toasts

    # Every failure the store recorded was shown: in a pane, a toast, or (for the start-up and
    # watch connection) the header's connection state.
    unshown = {
        collection: [m for m in messages if not witness.shown(m)]
        for collection, messages in witness.store_errors.items()
        if collection != "status"
    }
    assert not {c: m for c, m in unshown.items() if m}, unshown
    if "status" in witness.store_errors:
        assert witness.not_connected_seen
    failed_actions = [t for t in witness.toasts if t[1] == "error"]
    assert all(t[0].strip() for t in failed_actions)

    # The UI agrees with the server (and there is something to compare).
    assert all_rows
    assert shown_runs == run_ids
    if run_id is not None:
        assert {k: shape(v) for k, v in run_rows.items()} == {
            k: shape(v) for k, v in of_run.items()
        }
    assert {k: shape(v) for k, v in all_rows.items()} == {
        k: shape(v) for k, v in everything.items()
    }
