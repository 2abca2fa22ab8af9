"""The downloads view is true from its first frame, in every state (a snapshot of each), and the
rows of finished downloads show how they ended without waiting for a later tick."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import ProgressBar, Static

from lazytinker.store.download_items import DownloadItem, DownloadState
from lazytinker.store.downloads import DownloadManager
from lazytinker.ui.views.downloads import DownloadRow, DownloadsScreen

MiB = 1024 * 1024
MB = 1000 * 1000
LABEL = "tinker://8f3a196c-075d-46f0-ba88-0bacfa5a5dc5:train:5/weights/step-000160"
FOLDER = Path("/home/researcher/tinker-checkpoints")
DEST = FOLDER / "8f3a196c-075d-46f0-ba88-0bacfa5a5dc5:train:5_weights_step-000160"


def _item(state: DownloadState, **fields: Any) -> DownloadItem:
    item = DownloadItem("dl-1", "checkpoint", LABEL, DEST, state=state)
    for name, value in fields.items():
        setattr(item, name, value)
    return item


STATES: dict[str, DownloadItem] = {
    "queued": _item(DownloadState.QUEUED, total=2509 * MiB),
    "starting": _item(DownloadState.STARTING, total=2509 * MiB),
    "building": _item(DownloadState.BUILDING, retry_after=30.0),
    "exporting": _item(DownloadState.EXPORTING, detail="loading the checkpoint on the server"),
    "running": _item(
        DownloadState.DOWNLOADING, done=1024 * MiB, total=2509 * MiB, rate=412 * MiB, eta=3.6
    ),
    "verifying": _item(DownloadState.VERIFYING, done=2509 * MiB, total=2509 * MiB),
    "extracting": _item(DownloadState.EXTRACTING, done=2509 * MiB, total=2509 * MiB),
    "done": _item(DownloadState.DONE, done=2509 * MiB, total=2509 * MiB, result=DEST),
    "already_there": _item(DownloadState.DONE, skipped=True, result=DEST),
    "failed": _item(
        DownloadState.FAILED,
        done=700 * MiB,
        total=2509 * MiB,
        error="No space left on the device (partial file kept; free some space and run again)",
    ),
    "cancelled": _item(DownloadState.CANCELLED, done=700 * MiB, total=2509 * MiB),
    "unfinished": _item(DownloadState.CANCELLED, done=700 * MiB, total=2509 * MiB, found=True),
}


class _NoSource:
    """A download source that is never asked anything (the items are set by hand)."""


def _manager(*items: DownloadItem) -> DownloadManager:
    manager = DownloadManager(_NoSource())  # type: ignore[arg-type]
    for item in items:
        manager.items[item.id] = item
    return manager


class DownloadsApp(App[None]):
    """The downloads screen of a manager, from the first frame."""

    def __init__(self, manager: DownloadManager) -> None:
        super().__init__()
        self.manager = manager

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.push_screen(DownloadsScreen(self.manager))


@pytest.mark.parametrize("state", list(STATES))
def test_snapshot_of_each_state(state: str, snap_compare: Any) -> None:
    assert snap_compare(DownloadsApp(_manager(STATES[state])), terminal_size=(110, 9))


async def test_a_finished_download_is_shown_finished_from_the_first_frame() -> None:
    # No change is announced after the screen opens: what it shows comes from its first paint.
    done = STATES["done"]
    app = DownloadsApp(_manager(done))
    async with app.run_test() as pilot:
        await pilot.pause()
        row = app.screen.query_one(DownloadRow)
        shown = str(row.query_one(".state", Static).render())
        bar = row.query_one(ProgressBar)
        assert shown == f"done · 2.6 GB · {DEST}"  # 2509 MiB, in the app's decimal units
        assert bar.percentage == 1.0
        assert row.has_class("-done")


async def test_rows_follow_the_item_after_the_first_frame() -> None:
    item = _item(DownloadState.QUEUED)
    manager = _manager(item)
    app = DownloadsApp(manager)
    async with app.run_test() as pilot:
        await pilot.pause()
        row = app.screen.query_one(DownloadRow)
        assert str(row.query_one(".state", Static).render()) == "queued"
        assert row.query_one(ProgressBar).has_class("-unknown")  # no size: no bar
        item.state, item.done, item.total, item.rate, item.eta = (
            DownloadState.DOWNLOADING,
            500 * MB,
            1000 * MB,
            64 * MB,
            8.0,
        )
        manager._changed(item)
        await pilot.pause()
        assert str(row.query_one(".state", Static).render()) == (
            "500.0 MB / 1.0 GB · 64.0 MB/s · ETA 0:08"
        )
        assert row.query_one(ProgressBar).percentage == 0.5
