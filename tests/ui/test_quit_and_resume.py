"""`q` with downloads in flight asks first (the default stays), the parts are kept, and the next
start lists them in the downloads view, ready to resume with `r`; `e` asks where a trace goes."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Limits
from lazytinker.api.downloader import Downloader
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.rawhttp import Exchange, Fetcher
from lazytinker.store.downloads import DownloadItem, DownloadManager, DownloadState
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals.quit import QuitModal
from lazytinker.ui.modals.trace import TraceModal
from lazytinker.ui.views.downloads import DownloadRow, DownloadsScreen
from tests.client_asgi import Reply, ScriptedApp, serve
from tests.conftest import StartServer
from tests.downloads.common import ARCHIVE, REF, api_for
from tests.downloads.raw import Request, response, serve_raw

from .harness import make_store, profile_for, settle

FAST = Limits(backoff=0.01)


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedApp, str]]:
    """A scripted API whose archive route points at the stalling file host."""
    app = ScriptedApp()
    with serve(app) as url:
        yield app, url


BLOB = os.urandom(4 * 1024 * 1024)


class _StallingHost:
    """Serves BLOB (honouring `Range`), holding back all but the first MiB until released."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def __call__(self, request: Request) -> Iterator[bytes]:
        start = int(request.headers.get("range", "bytes=0-")[6:].split("-")[0] or 0)
        headers = {"Content-Length": str(len(BLOB) - start), "ETag": '"v1"', "Connection": "close"}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(BLOB) - 1}/{len(BLOB)}"
        yield response("206 Partial Content" if start else "200 OK", headers)
        if not self.released.is_set():
            yield BLOB[start : start + 1024 * 1024]
            self.released.wait(30)
            start += 1024 * 1024
        yield BLOB[start:]


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


def _app(server_url: str, manager: DownloadManager, folder: Path) -> LazytinkerApp:
    return LazytinkerApp(
        make_store(server_url),
        watch=False,
        downloads=manager,
        download_directory=str(folder),
    )


async def test_q_asks_while_downloading_then_the_next_start_resumes(
    start_server: StartServer, scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    server = start_server()
    folder = tmp_path / "downloads"
    files, url = scripted
    host = _StallingHost()
    with serve_raw(host) as raw:
        files.on("GET", ARCHIVE, Reply(302, None, headers={"Location": f"{raw.url}/ckpt.tar"}))
        await _first_run(server.url, url, folder)
        host.released.set()
        await _next_start(server.url, url, folder)


async def _first_run(server_url: str, files_url: str, folder: Path) -> None:
    """A download is in flight when `q` is pressed: asked, stayed, asked again, quit."""
    ref, size = REF, len(BLOB)
    async with api_for(files_url) as api:
        manager = DownloadManager(api, limits=FAST)
        app = _app(server_url, manager, folder)
        async with app.run_test(size=(120, 35)) as pilot:
            item = manager.add_checkpoint(ref, folder, extract=False, expected_size=size)
            await _until(manager, lambda: item.done > 0)
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, QuitModal)
            body = str(app.screen.query_one("#running", Static).render())
            assert ref.path in body
            note = str(app.screen.query_one("#note", Static).render())
            assert "kept" in note
            assert str(folder) in note
            await pilot.press("enter")  # the focused answer is Stay
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            assert item.active
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
        assert not app.is_running
        assert item.state is DownloadState.CANCELLED
    parts = sorted(p.name for p in folder.iterdir())
    assert any(name.endswith(".tar.part") for name in parts), parts


async def _next_start(server_url: str, files_url: str, folder: Path) -> None:
    """The unfinished download is listed, and `r` resumes it where it stopped."""
    ref, size = REF, len(BLOB)
    ranges: list[str] = []

    def record(exchange: Exchange) -> None:
        ranges.append(exchange.headers.get("Range", ""))

    async with api_for(files_url) as api:
        downloader = Downloader(api, fetcher=Fetcher(on_exchange=record))
        manager = DownloadManager(api, limits=FAST, downloader=downloader)
        app = _app(server_url, manager, folder)
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot, lambda: bool(manager.items))
            [found] = manager.items.values()
            assert found.found
            assert found.state is DownloadState.CANCELLED
            assert found.label == ref.path
            assert any("unfinished download" in n.message for n in app._notifications)
            await pilot.press("D")
            await pilot.pause()
            assert isinstance(app.screen, DownloadsScreen)
            row = app.screen.query_one(DownloadRow)
            assert "unfinished from last time" in str(row.query_one(".state", Static).render())
            await pilot.press("r")
            await _until(manager, lambda: found.state.finished)
            assert found.state is DownloadState.DONE, found.error
            # The toast waits a moment for other ends to share it (download_notices.GATHER).
            await settle(
                pilot,
                lambda: any(
                    "Downloaded" in n.message and ref.path in n.message for n in app._notifications
                ),
            )
    assert ranges == [f"bytes={1024 * 1024}-"]
    assert found.result is not None
    assert found.result.read_bytes() == BLOB
    assert found.result.stat().st_size == size


async def test_a_failed_download_raises_a_toast_naming_it_and_the_folder(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with TinkerAPI(profile_for(server.url).target()) as api:
        manager = DownloadManager(api, limits=FAST)
        app = _app(server.url, manager, tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            missing = CheckpointRef.parse("tinker://no-such-run:train:0/sampler_weights/s1")
            item: DownloadItem = manager.add_checkpoint(missing, tmp_path / "out")
            await _until(manager, lambda: item.state.finished)
            await settle(pilot, lambda: any(n.severity == "error" for n in app._notifications))
            errors = [n for n in app._notifications if n.severity == "error"]
            assert len(errors) == 1
            assert missing.path in errors[0].message
            assert str(tmp_path / "out") in errors[0].message


async def test_e_asks_where_to_save_the_trace(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server(trace_export_polls=0)
    async with TinkerAPI(profile_for(server.url).target()) as api:
        manager = DownloadManager(api, limits=FAST, trace_poll_seconds=0.05)
        store = make_store(server.url)
        app = LazytinkerApp(store, watch=False, downloads=manager, download_directory="/nowhere")
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot, lambda: store.sessions.loaded)
            await pilot.press("h")
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, TraceModal)
            field = app.screen.query_one("#directory", Input)
            assert field.value == "/nowhere"
            field.value = str(tmp_path / "traces")
            await pilot.press("enter")
            await _until(manager, lambda: all(i.state.finished for i in manager.items.values()))
            [item] = manager.items.values()
            assert item.state is DownloadState.DONE, item.error
            assert item.result is not None
            assert item.result.parent == tmp_path / "traces"
            assert item.result.name.endswith(".pftrace")
