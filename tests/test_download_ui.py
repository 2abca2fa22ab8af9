"""The download modal and the downloads view, driven by Pilot; downloads come from the stand-in."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Limits, folder_name
from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.config import Profile
from lazytinker.store.download_notices import Ended, completion_notices, summarise
from lazytinker.store.downloads import DownloadItem, DownloadManager, DownloadState
from lazytinker.ui.actions.downloads import download_targets, save_checkpoints, start_downloads
from lazytinker.ui.modals.download import DownloadChoice, DownloadModal, DownloadTarget
from lazytinker.ui.views.downloads import DownloadRow, DownloadsScreen, describe
from tests.conftest import StartServer

UNSET = object()
TARGETS = [
    DownloadTarget("tinker://run-1:train:0/weights/0040", "training", 300_000_000),
    DownloadTarget("tinker://run-1:train:0/sampler_weights/[bold]x", "sampler", None),
]


class ModalApp(App[None]):
    """Opens the download modal at start and records its answer."""

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory
        self.answer: Any = UNSET

    def on_mount(self) -> None:
        self.push_screen(
            DownloadModal(TARGETS, directory=self.directory, extract=True), self._record
        )

    def _record(self, answer: Any) -> None:
        self.answer = answer


async def test_the_modal_answers_the_folder_and_options(tmp_path: Path) -> None:
    app = ModalApp(str(tmp_path / "new"))
    async with app.run_test() as pilot:
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "300.0 MB" in text
        assert "[bold]x" in text  # server text shows as typed
        assert "Sampler checkpoints" in text
        app.screen.query_one("#extract", Checkbox).value = False
        await pilot.press("enter")
    assert app.answer == DownloadChoice(tmp_path / "new", extract=False, force=False)


async def test_the_modal_refuses_a_file_as_the_folder_and_escape_cancels(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    app = ModalApp(str(blocker / "sub"))
    async with app.run_test() as pilot:
        await pilot.press("enter")
        assert app.answer is UNSET
        problem = str(app.screen.query_one("#problem", Static).render())
        assert "is a file, not a folder" in problem
        app.screen.query_one("#directory", Input).value = str(tmp_path)
        await pilot.pause()
        assert str(app.screen.query_one("#problem", Static).render()) == ""
        await pilot.press("escape")
    assert app.answer is None


class DownloadsApp(App[None]):
    """Shows the downloads screen of a manager."""

    def __init__(self, manager: DownloadManager) -> None:
        super().__init__()
        self.manager = manager

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.push_screen(DownloadsScreen(self.manager))


async def _smallest_samplers(api: TinkerAPI, count: int) -> list[Checkpoint]:
    found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    samplers = [c for c in found if c.checkpoint_type == "sampler"]
    return sorted(samplers, key=lambda c: c.size_bytes or 0)[:count]


async def _until(manager: DownloadManager, condition: Any) -> None:
    """Wait until `condition()` holds, checked each time the manager announces a change."""
    reached = asyncio.Event()

    def check(_: DownloadItem) -> None:
        if condition():
            reached.set()

    stop = manager.subscribe(check)
    try:
        if not condition():
            async with asyncio.timeout(30):
                await reached.wait()
    finally:
        stop()


async def test_the_view_shows_each_download_and_a_toast_says_where_it_went(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
        manager = DownloadManager(api, limits=Limits(backoff=0.01))
        toasts: list[tuple[str, str]] = []
        # Gathered for as long as the test runs: both ends are told together when it stops.
        stop = completion_notices(
            manager,
            lambda message, severity: toasts.append((message, severity)),
            gather=60,
            hold=60,
        )
        app = DownloadsApp(manager)
        async with app.run_test() as pilot:
            checkpoints = await _smallest_samplers(api, 2)
            assert [t.path for t in download_targets(checkpoints)] == [c.path for c in checkpoints]
            items = start_downloads(
                manager, checkpoints, DownloadChoice(tmp_path, extract=True, force=False)
            )
            await _until(manager, lambda: all(i.state is DownloadState.DONE for i in items))
            await pilot.pause()
            rows = list(app.screen.query(DownloadRow))
            assert [r.item_id for r in rows] == [i.id for i in items]
            for row, item in zip(rows, items, strict=True):
                shown = str(row.query_one(".state", Static).render())
                assert shown.startswith("done")
                assert str(item.result) in shown
            title = str(app.screen.query_one("#downloads-title", Static).render())
            assert title == "Downloads (2)"
            await pilot.press("x")  # remove the highlighted (first) one from the list
            await pilot.pause()
            assert [r.item_id for r in app.screen.query(DownloadRow)] == [items[1].id]
        await manager.aclose()
        stop()
    assert toasts == [(f"Downloaded 2 checkpoints into {tmp_path}", "information")]


async def test_a_lone_download_names_itself_and_a_burst_of_ends_is_one_toast_a_kind(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    toasts: list[tuple[str, str]] = []
    async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
        manager = DownloadManager(api, limits=Limits(backoff=0.01))
        checkpoints = await _smallest_samplers(api, 3)
        choice = DownloadChoice(tmp_path, extract=False, force=False)
        stop = completion_notices(manager, lambda m, s: toasts.append((m, s)), gather=0.0)
        [first] = start_downloads(manager, checkpoints[:1], choice)
        await _until(manager, lambda: first.state is DownloadState.DONE)
        await asyncio.sleep(0.05)
        stop()
        assert toasts == [(f"Downloaded {first.label} to {first.result}", "information")]

        # All three again, as a run-level `s` would: one is there, two are not yet.
        toasts.clear()
        stop = completion_notices(manager, lambda m, s: toasts.append((m, s)), gather=60, hold=60)
        again = start_downloads(manager, checkpoints, choice)
        await _until(manager, lambda: all(i.state is DownloadState.DONE for i in again))
        stop()
        await manager.aclose()
    assert [i.skipped for i in again] == [True, False, False]
    assert toasts == [
        (f"Downloaded 2 checkpoints into {tmp_path}", "information"),
        (f"{again[0].label} is already in {again[0].result}", "information"),
    ]


async def test_cancel_and_retry_from_the_view(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server()
    async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
        manager = DownloadManager(api, limits=Limits(backoff=0.01))
        app = DownloadsApp(manager)
        async with app.run_test() as pilot:
            [checkpoint] = await _smallest_samplers(api, 1)
            started = asyncio.Event()

            def listen(item: DownloadItem) -> None:
                if item.done:
                    started.set()

            manager.subscribe(listen)
            [item] = start_downloads(
                manager, [checkpoint], DownloadChoice(tmp_path, extract=False, force=False)
            )
            await started.wait()
            await pilot.press("c")
            await _until(manager, lambda: item.state.finished)
            assert item.state is DownloadState.CANCELLED
            assert "cancelled at" in describe(item)
            await pilot.press("r")
            await _until(manager, lambda: item.state is DownloadState.DONE)
            assert item.attempts == 2
        await manager.aclose()
    assert item.destination.stat().st_size == checkpoint.size_bytes


def test_describe_says_bytes_rate_and_eta() -> None:
    item = DownloadItem("dl-1", "checkpoint", "tinker://r/weights/x", Path("/tmp/x"))
    assert describe(item) == "queued"
    item.state = DownloadState.DOWNLOADING
    item.done, item.total, item.rate, item.eta = 500 * 1000**2, 1000**3, 64 * 1000**2, 75.0
    assert describe(item) == "500.0 MB / 1.0 GB · 64.0 MB/s · ETA 1:15"  # decimal, as everywhere
    item.state, item.retry_after = DownloadState.BUILDING, 3.0
    assert describe(item) == "the server is preparing it, asking again in 3 s"
    item.state, item.error = DownloadState.FAILED, "No space left on the device"
    assert describe(item) == "failed · No space left on the device · r to retry"


class SaveScreen(Screen[None]):
    """Stands for the main screen: `s` runs the save flow on the checkpoints it was given."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "save", "Save", id="save")]

    def __init__(self, manager: DownloadManager, checkpoints: list[Checkpoint], folder: str):
        super().__init__()
        self.manager = manager
        self.checkpoints = checkpoints
        self.folder = folder
        self.started: list[DownloadItem] = []

    @work
    async def action_save(self) -> None:
        self.started = await save_checkpoints(
            self, self.manager, self.checkpoints, directory=self.folder, extract=True
        )


async def test_s_asks_then_downloads_in_the_background(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
        manager = DownloadManager(api, limits=Limits(backoff=0.01))
        checkpoints = await _smallest_samplers(api, 1)
        screen = SaveScreen(manager, checkpoints, str(tmp_path / "saved"))
        app = ScreenApp(screen)
        async with app.run_test() as pilot:
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, DownloadModal)
            await pilot.press("enter")
            await _until(manager, lambda: bool(screen.started) and screen.started[0].state.finished)
            [item] = screen.started
            assert item.state is DownloadState.DONE, item.error
            assert item.result == tmp_path / "saved" / folder_name(
                CheckpointRef.parse(checkpoints[0].path)
            )
            assert any("Downloading 1 checkpoint" in n.message for n in app._notifications)
        await manager.aclose()


class ScreenApp(App[None]):
    """Opens one screen."""

    def __init__(self, screen: Screen[None]) -> None:
        super().__init__()
        self._screen = screen

    def on_mount(self) -> None:
        self.push_screen(self._screen)


def test_failures_that_end_together_are_one_toast_naming_the_first() -> None:
    def failed(label: str, folder: str, checkpoint: bool = True) -> Ended:
        return Ended("failed", label, Path(folder), Path(folder), "HTTP 503", checkpoint)

    assert summarise([failed("a", "/x")]) == [("Download of a into /x failed: HTTP 503", "error")]
    assert summarise([failed("a", "/x"), failed("b", "/y"), failed("trace", "/y", False)]) == [
        ("3 downloads into 2 folders failed; a: HTTP 503 (D lists each)", "error")
    ]
