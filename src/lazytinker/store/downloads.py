"""The download manager: checkpoint and trace downloads, a few at a time, in the background.

No UI here: the store holds one manager and the downloads view renders its items. Each item
carries its state, bytes, total, rate and ETA, and every change is announced to the listeners
(throttled by the engine to a few per second). Cancelling keeps the `.part` so that a retry
resumes where the cancelled transfer stopped; `adopt_partials` lists the parts an earlier run left
in a folder, ready to resume the same way.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.download_items import PHASE_STATE, DownloadItem, DownloadState

if TYPE_CHECKING:
    # The download stack (http.client, tarfile, the guards) is imported with the first
    # download or the first look for partial ones, after the first screen is painted.
    from lazytinker.api.download import ArchiveSource, DownloadResult, Limits, Progress
    from lazytinker.api.downloader import Downloader
    from lazytinker.api.partials import PartialDownload

__all__ = ["DownloadItem", "DownloadManager", "DownloadState"]

Listener = Callable[[DownloadItem], None]
Reporter = Callable[["Progress"], None]
Runner = Callable[[DownloadItem, Reporter], Awaitable["DownloadResult"]]
Planned = tuple[DownloadItem, Runner]


class DownloadManager:
    """Runs downloads `concurrency` at a time; cancel, retry and remove by id."""

    def __init__(
        self,
        source: ArchiveSource,
        *,
        concurrency: int = 2,
        limits: Limits | None = None,
        trace_poll_seconds: float = 5.0,
        downloader: Downloader | None = None,
    ) -> None:
        self.source = source
        self._limits = limits
        self.trace_poll_seconds = trace_poll_seconds
        self.items: dict[str, DownloadItem] = {}
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._given_downloader = downloader
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._jobs: dict[str, Runner] = {}
        self._listeners: list[Listener] = []
        self._ids = itertools.count(1)

    @property
    def limits(self) -> Limits:
        """The bounds every download runs under."""
        from lazytinker.api.stream import DEFAULT_LIMITS

        return self._limits or DEFAULT_LIMITS

    @property
    def _downloader(self) -> Downloader:
        from lazytinker.api.downloader import Downloader

        self._given_downloader = self._given_downloader or Downloader(self.source)
        return self._given_downloader

    # --- listening -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with an item every time it changes; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self, item: DownloadItem) -> None:
        for listener in list(self._listeners):
            listener(item)

    @property
    def active_count(self) -> int:
        """Downloads queued or in progress."""
        return sum(item.active for item in self.items.values())

    def active(self) -> list[DownloadItem]:
        """The downloads queued or in progress, oldest first."""
        return [item for item in self.items.values() if item.active]

    def __len__(self) -> int:
        """Downloads queued or in progress (what a header's "3 downloads" counts)."""
        return self.active_count

    # --- adding ----------------------------------------------------------------------------

    def add_checkpoint(
        self,
        ref: CheckpointRef,
        out_dir: Path,
        *,
        extract: bool = True,
        force: bool = False,
        expected_size: int | None = None,
    ) -> DownloadItem:
        """Queue a checkpoint; the same destination already in progress is returned, not doubled."""
        return self._queue(self._checkpoint(ref, out_dir, extract, force, expected_size))

    def add_trace(self, session_id: str, out_dir: Path, *, force: bool = False) -> DownloadItem:
        """Queue a session's trace export: polled while the server builds it, then saved."""
        return self._queue(self._trace(session_id, out_dir, force))

    async def adopt_partials(self, folder: Path) -> list[DownloadItem]:
        """List the downloads an earlier run left unfinished in `folder`, as cancelled items that
        `retry` resumes (nothing starts by itself); one already listed is not listed twice."""
        from lazytinker.api.partials import find_partials

        found = await asyncio.to_thread(find_partials, folder.expanduser())
        adopted = []
        for partial in found:
            planned = self._planned(partial)
            if planned is None or isinstance(planned, DownloadItem):
                continue
            item, run = planned
            if any(i.destination == item.destination for i in self.items.values()):
                continue
            item.found = True
            item.state = DownloadState.CANCELLED
            item.done, item.total = partial.done, partial.total
            self.items[item.id] = item
            self._jobs[item.id] = run
            self._changed(item)
            adopted.append(item)
        return adopted

    def _planned(self, partial: PartialDownload) -> Planned | DownloadItem | None:
        if partial.kind == "trace":
            return self._trace(partial.source, partial.out_dir, False)
        try:
            ref = CheckpointRef.parse(partial.source)
        except LazytinkerError:
            return None
        return self._checkpoint(ref, partial.out_dir, partial.extract, False, None)

    def _checkpoint(
        self,
        ref: CheckpointRef,
        out_dir: Path,
        extract: bool,
        force: bool,
        expected_size: int | None,
    ) -> Planned | DownloadItem:
        from lazytinker.api.download import CheckpointDownload

        out_dir = out_dir.expanduser()
        job = CheckpointDownload(
            ref, out_dir, extract=extract, force=force, expected_size=expected_size
        )
        try:
            destination = job.final_path
        except LazytinkerError as error:  # a name from the server that is not a file name
            return self._refused("checkpoint", ref.path, out_dir, str(error))
        item = DownloadItem(self._new_id(), "checkpoint", ref.path, destination, extract=extract)
        item.total = expected_size

        async def run(item: DownloadItem, report: Reporter) -> DownloadResult:
            return await self._downloader.checkpoint(
                job, on_progress=report, limits=self.limits, on_note=item.notes.append
            )

        return item, run

    def _trace(self, session_id: str, out_dir: Path, force: bool) -> Planned | DownloadItem:
        from lazytinker.api.download import trace_file

        label = f"trace of {session_id}"
        out_dir = out_dir.expanduser()
        try:
            dest = trace_file(out_dir, session_id)
        except LazytinkerError as error:
            return self._refused("trace", label, out_dir, str(error))
        item = DownloadItem(self._new_id(), "trace", label, dest, extract=False)

        async def run(item: DownloadItem, report: Reporter) -> DownloadResult:
            return await self._downloader.trace(
                session_id,
                dest,
                force=force,
                poll_seconds=self.trace_poll_seconds,
                on_progress=report,
                limits=self.limits,
            )

        return item, run

    def _queue(self, planned: Planned | DownloadItem) -> DownloadItem:
        if isinstance(planned, DownloadItem):
            return planned  # refused before it could start: already listed as failed
        item, run = planned
        running = self._active_for(item.destination)
        if running is not None:
            return running
        self.items[item.id] = item
        self._jobs[item.id] = run
        self._launch(item)
        return item

    # --- control ---------------------------------------------------------------------------

    def cancel(self, item_id: str) -> bool:
        """Stop a queued or running download; its `.part` stays for a retry to resume."""
        task = self._tasks.get(item_id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def retry(self, item_id: str) -> bool:
        """Start a failed or cancelled download again (resuming what is on disk)."""
        item = self.items.get(item_id)
        job = self._jobs.get(item_id)
        if item is None or job is None or item.active:
            return False
        item.state = DownloadState.QUEUED
        item.error = None
        item.retry_after = None
        item.detail = None
        item.rate = 0.0
        item.eta = None
        item.finished_at = None
        item.skipped = False
        self._launch(item)
        return True

    def remove(self, item_id: str) -> bool:
        """Forget a finished download (the files stay where they are)."""
        item = self.items.get(item_id)
        if item is None or item.active:
            return False
        del self.items[item_id]
        self._jobs.pop(item_id, None)
        self._tasks.pop(item_id, None)
        return True

    async def wait(self, item_id: str) -> DownloadItem:
        """Wait until a download finishes (done, failed or cancelled); returns its item."""
        task = self._tasks.get(item_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        return self.items[item_id]

    async def aclose(self) -> None:
        """Cancel what is running (parts are kept for the next start)."""
        tasks = [task for task in self._tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._given_downloader is not None:
            await self._given_downloader.aclose()

    # --- running ---------------------------------------------------------------------------

    def _new_id(self) -> str:
        return f"dl-{next(self._ids)}"

    def _active_for(self, destination: Path) -> DownloadItem | None:
        return next(
            (i for i in self.items.values() if i.active and i.destination == destination), None
        )

    def _refused(
        self, kind: Literal["checkpoint", "trace"], label: str, folder: Path, why: str
    ) -> DownloadItem:
        item = DownloadItem(self._new_id(), kind, label, folder / "?")
        item.state, item.error, item.finished_at = DownloadState.FAILED, why, time.monotonic()
        self.items[item.id] = item
        self._changed(item)
        return item

    def _launch(self, item: DownloadItem) -> None:
        self._tasks[item.id] = asyncio.get_running_loop().create_task(
            self._run(item), name=f"download {item.label}"
        )
        self._changed(item)

    async def _run(self, item: DownloadItem) -> None:
        job = self._jobs[item.id]
        try:
            async with self._slots:
                item.attempts += 1
                item.started = time.monotonic()
                item.state = DownloadState.STARTING
                self._changed(item)
                result = await job(item, lambda event: self._progress(item, event))
        except asyncio.CancelledError:
            self._finish(item, DownloadState.CANCELLED)
            raise
        except LazytinkerError as error:
            self._finish(item, DownloadState.FAILED, error=str(error))
        except Exception as error:  # one broken download must not end the app
            self._finish(item, DownloadState.FAILED, error=f"Unexpected error: {error}")
        else:
            item.result = result.path
            item.skipped = result.status == "skipped"
            if not item.skipped:
                item.done = item.total = result.bytes
            item.found = False
            self._finish(item, DownloadState.DONE)

    def _progress(self, item: DownloadItem, event: Progress) -> None:
        item.state = PHASE_STATE[event.phase]
        item.retry_after = event.retry_after if event.phase == "building" else None
        item.detail = event.detail if event.phase == "exporting" else None
        if event.phase in ("downloading", "verifying", "extracting", "done"):
            item.done = event.done
            item.total = event.total if event.total is not None else item.total
            item.rate = event.rate
            item.eta = event.eta
        self._changed(item)

    def _finish(
        self, item: DownloadItem, state: DownloadState, *, error: str | None = None
    ) -> None:
        item.state = state
        item.error = error
        item.rate = 0.0
        item.eta = None
        item.retry_after = None
        item.detail = None
        item.finished_at = time.monotonic()
        self._changed(item)
