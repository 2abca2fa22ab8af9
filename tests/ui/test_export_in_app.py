"""`s` on a training checkpoint in the app, against a server that has dropped `/archive` (as
`serve --no-archive`): the modal says a billable session will export it, the downloads view shows
each step of the export, the files equal the server's, the temporary export is gone and the
session finished, and a toast says where the files went."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from textual.widgets import Static

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Limits, folder_name
from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.downloads import DownloadItem, DownloadManager, DownloadState
from lazytinker.ui.actions.downloads import save_checkpoints
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.modals.download import DownloadModal
from lazytinker.ui.views.downloads import DownloadRow, DownloadsScreen
from tests.conftest import StartServer
from tests.server.exporting import KEY, export_checkpoint, smallest_training_checkpoint

from .harness import make_store, profile_for, settle


def _externals(http: httpx.Client) -> list[str]:
    body = http.get("/api/v1/checkpoints?limit=1000").json()
    return sorted(
        c["tinker_path"] for c in body["checkpoints"] if c["checkpoint_type"] == "external"
    )


async def _until(manager: DownloadManager, condition: Any) -> None:
    reached = asyncio.Event()
    stop = manager.subscribe(lambda _item: reached.set() if condition() else None)
    try:
        async with asyncio.timeout(60):
            while not condition():
                reached.clear()
                await reached.wait()
    finally:
        stop()


async def test_s_on_a_training_checkpoint_exports_it_when_the_archive_is_gone(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(archive=False)
    with httpx.Client(base_url=server.url, headers=KEY) as http:
        path = smallest_training_checkpoint(http)
        # What an export of it holds, fetched over raw HTTP; that export is then deleted.
        reference = export_checkpoint(http, path, name="reference")
        http.delete(
            "/api/v1/training_runs/{}/checkpoints/{}".format(
                *reference.export_path.removeprefix("tinker://").split("/", 1)
            )
        ).raise_for_status()
        externals = _externals(http)
        sessions = set(http.get("/api/v1/sessions?limit=1000").json()["sessions"])
        async with TinkerAPI(profile_for(server.url).target()) as api:
            run_id = CheckpointRef.parse(path).run_id
            listed = (await api.list_checkpoints(run_id)).checkpoints
            [checkpoint] = [c for c in listed if c.path == path]
            manager = DownloadManager(api, limits=Limits(backoff=0.01))
            seen: list[tuple[DownloadState, str]] = []
            manager.subscribe(lambda item: seen.append((item.state, item.detail or "")))
            folder = tmp_path / "saved"
            app = LazytinkerApp(
                make_store(server.url), watch=False, downloads=manager, download_directory="/x"
            )
            async with app.run_test(size=(120, 35)) as pilot:
                item = await _save(app, pilot, manager, checkpoint, folder)
                await pilot.press("D")
                await pilot.pause()
                assert isinstance(app.screen, DownloadsScreen)
                await _until(manager, lambda: item.state.finished)
                await pilot.pause()
                assert item.state is DownloadState.DONE, item.error
                state = str(app.screen.query_one(DownloadRow).query_one(".state", Static).render())
                assert state.startswith("done")
                # The toast waits a moment for other ends to share it (download_notices.GATHER).
                await settle(
                    pilot, lambda: any("Downloaded" in n.message for n in app._notifications)
                )
                toasts = [n.message for n in app._notifications if "Downloaded" in n.message]
                assert any(path in t and str(folder) in t for t in toasts), toasts
            await manager.aclose()
        # Every step of the export was shown, in order, before the bytes came.
        steps = [detail for state, detail in seen if state is DownloadState.EXPORTING]
        assert list(dict.fromkeys(steps)) == [
            "starting a session to export it",
            "loading the checkpoint on the server",
            "saving it as external weights",
        ]
        target = folder / folder_name(CheckpointRef.parse(path))
        assert item.result == target
        assert {p.name: p.read_bytes() for p in target.iterdir()} == reference.files
        # No temporary export is left, and the session the app opened is finished.
        assert _externals(http) == externals
        [session] = set(http.get("/api/v1/sessions?limit=1000").json()["sessions"]) - sessions
        found = http.post("/api/v1/sessions/search", json={"session_id": session}).json()
        assert found["sessions"][0]["status"]["type"] == "client_finished"


async def _save(
    app: LazytinkerApp, pilot: Any, manager: DownloadManager, checkpoint: Checkpoint, folder: Path
) -> DownloadItem:
    """The `s` flow on `checkpoint`: the modal names the billable session; enter accepts."""
    started: list[DownloadItem] = []

    async def save() -> None:
        screen = app.screen
        started.extend(
            await save_checkpoints(
                screen, manager, [checkpoint], directory=str(folder), extract=True
            )
        )

    app.run_worker(save())
    await pilot.pause()
    assert isinstance(app.screen, DownloadModal)
    text = " ".join(str(s.render()) for s in app.screen.query(Static))
    assert "billable" in text
    await pilot.press("enter")
    async with asyncio.timeout(30):
        while not started:
            await pilot.pause(0.01)
    [item] = started
    return item
