"""The download manager against the stand-in: a few at a time, progress, cancel, retry, traces."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Limits, folder_name
from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.stream import part_path
from lazytinker.config import Profile
from lazytinker.store.downloads import DownloadItem, DownloadManager, DownloadState
from tests.conftest import StartServer

FAST = Limits(backoff=0.01, max_build_wait=30.0)


def _api(url: str) -> TinkerAPI:
    return TinkerAPI(Profile("test", "tinker", url, "tml-demo").target())


async def _samplers(api: TinkerAPI, count: int) -> list[Checkpoint]:
    found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    samplers = sorted(
        (c for c in found if c.checkpoint_type == "sampler"), key=lambda c: c.size_bytes or 0
    )
    return samplers[:count]


def _ref(checkpoint: Checkpoint) -> CheckpointRef:
    return CheckpointRef.parse(checkpoint.tinker_path or "")


async def test_downloads_run_a_few_at_a_time_and_report_progress(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        manager = DownloadManager(api, concurrency=2, limits=FAST)
        seen: list[tuple[str, DownloadState]] = []
        running: set[str] = set()
        most = 0

        def listen(item: DownloadItem) -> None:
            nonlocal most
            seen.append((item.id, item.state))
            if item.state in (DownloadState.DOWNLOADING, DownloadState.EXTRACTING):
                running.add(item.id)
            else:
                running.discard(item.id)
            most = max(most, len(running))

        manager.subscribe(listen)
        checkpoints = await _samplers(api, 3)
        items = [
            manager.add_checkpoint(_ref(c), tmp_path, expected_size=c.size_bytes)
            for c in checkpoints
        ]
        finished = [await manager.wait(item.id) for item in items]
        await manager.aclose()
    assert [i.state for i in finished] == [DownloadState.DONE] * 3
    assert most == 2
    for item, checkpoint in zip(finished, checkpoints, strict=True):
        assert item.result == tmp_path / folder_name(_ref(checkpoint))
        assert item.done == item.total == checkpoint.size_bytes
        assert (item.id, DownloadState.QUEUED) in seen
        assert (item.id, DownloadState.EXTRACTING) in seen
    assert manager.active_count == 0


async def test_the_same_destination_is_not_downloaded_twice_at_once(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        manager = DownloadManager(api, limits=FAST)
        [checkpoint] = await _samplers(api, 1)
        first = manager.add_checkpoint(_ref(checkpoint), tmp_path)
        second = manager.add_checkpoint(_ref(checkpoint), tmp_path)
        await manager.wait(first.id)
        await manager.aclose()
    assert second is first
    assert len(manager.items) == 1


async def test_cancel_keeps_the_part_and_retry_resumes_it(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        manager = DownloadManager(api, limits=FAST)
        [checkpoint] = await _samplers(api, 1)
        ref = _ref(checkpoint)
        started = asyncio.Event()

        def listen(item: DownloadItem) -> None:
            if item.done > 0 and item.state is DownloadState.DOWNLOADING:
                started.set()

        manager.subscribe(listen)
        item = manager.add_checkpoint(ref, tmp_path, extract=False)
        # The first progress event comes with the first chunk written; the transfer yields to
        # the loop between chunks, so the cancel lands long before the last one.
        await started.wait()
        assert manager.cancel(item.id)
        await manager.wait(item.id)
        assert item.state is DownloadState.CANCELLED
        part = part_path(item.destination)
        kept = part.stat().st_size if part.exists() else 0
        assert not item.destination.exists()
        assert manager.retry(item.id)
        await manager.wait(item.id)
        await manager.aclose()
    assert item.state is DownloadState.DONE, item.error
    assert item.attempts == 2
    assert item.destination.stat().st_size == checkpoint.size_bytes
    assert kept > 0


async def test_a_failure_is_reported_on_the_item_not_raised(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        manager = DownloadManager(api, limits=FAST)
        ref = CheckpointRef.parse("tinker://no-such-run:train:0/weights/step-000001")
        item = await manager.wait(manager.add_checkpoint(ref, tmp_path).id)
        await manager.aclose()
    assert item.state is DownloadState.FAILED
    assert item.error is not None
    assert "not found" in item.error.lower()
    assert "\n" not in item.error
    assert list(tmp_path.iterdir()) == []


async def test_a_trace_export_is_built_then_saved(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(trace_export_polls=3)
    states: list[DownloadState] = []
    async with _api(server.url) as api:
        manager = DownloadManager(api, limits=FAST, trace_poll_seconds=0.05)
        manager.subscribe(lambda item: states.append(item.state))
        session = (await api.list_sessions()).sessions[0]
        item = await manager.wait(manager.add_trace(session, tmp_path).id)
        await manager.aclose()
    assert item.state is DownloadState.DONE, item.error
    assert item.result == tmp_path / f"{session}.pftrace"
    assert DownloadState.BUILDING in states
    assert session in item.result.read_text()
