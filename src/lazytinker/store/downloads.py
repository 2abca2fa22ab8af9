"""The download manager: checkpoint and trace downloads, a few at a time, in the background.

No UI here: the store holds one manager and the downloads view renders its items. Each item
carries its state, bytes, total, rate and ETA, and every change is announced to the listeners
(throttled by the engine to a few per second). Cancelling keeps the `.part` so that a retry
resumes where the cancelled transfer stopped.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from lazytinker.api.download import (
    ArchiveSource,
    CheckpointDownload,
    DownloadResult,
    Limits,
    Progress,
)
from lazytinker.api.downloader import Downloader
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.stream import DEFAULT_LIMITS

__all__ = ["DownloadItem", "DownloadManager", "DownloadState", "completion_notices"]


class DownloadState(StrEnum):
    """Where one download is in its life."""

    QUEUED = "queued"
    BUILDING = "building"
    DOWNLOADING = "downloading"
    EXTRACTING = "extracting"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether nothing more will happen without a retry."""
        return self in (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED)


_PHASE_STATE = {
    "resolving": DownloadState.DOWNLOADING,
    "building": DownloadState.BUILDING,
    "downloading": DownloadState.DOWNLOADING,
    "extracting": DownloadState.EXTRACTING,
    "done": DownloadState.DOWNLOADING,  # DONE is set once the result is in hand
}


@dataclass
class DownloadItem:
    """One download as the downloads view shows it."""

    id: str
    kind: Literal["checkpoint", "trace"]
    label: str
    destination: Path
    state: DownloadState = DownloadState.QUEUED
    done: int = 0
    total: int | None = None
    rate: float = 0.0
    eta: float | None = None
    retry_after: float | None = None
    error: str | None = None
    result: Path | None = None
    extract: bool = True
    attempts: int = 0
    started: float | None = None
    finished_at: float | None = None

    @property
    def fraction(self) -> float | None:
        """How much is done, 0..1, when the total is known."""
        if not self.total:
            return 1.0 if self.state is DownloadState.DONE else None
        return min(1.0, self.done / self.total)

    @property
    def active(self) -> bool:
        """Queued or in progress."""
        return not self.state.finished


Listener = Callable[[DownloadItem], None]
Reporter = Callable[[Progress], None]
Runner = Callable[[Reporter], Awaitable[DownloadResult]]


class DownloadManager:
    """Runs downloads `concurrency` at a time; cancel, retry and remove by id."""

    def __init__(
        self,
        source: ArchiveSource,
        *,
        concurrency: int = 2,
        limits: Limits = DEFAULT_LIMITS,
        trace_poll_seconds: float = 5.0,
        downloader: Downloader | None = None,
    ) -> None:
        self.source = source
        self.limits = limits
        self.trace_poll_seconds = trace_poll_seconds
        self.items: dict[str, DownloadItem] = {}
        self._slots = asyncio.Semaphore(max(1, concurrency))
        # The API side runs each transfer over one pool for signed URLs (the store has no httpx).
        self._downloader = downloader or Downloader(source)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._jobs: dict[str, Runner] = {}
        self._listeners: list[Listener] = []
        self._ids = itertools.count(1)

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
        job = CheckpointDownload(
            ref, out_dir.expanduser(), extract=extract, force=force, expected_size=expected_size
        )
        running = self._active_for(job.final_path)
        if running is not None:
            return running
        item = DownloadItem(self._new_id(), "checkpoint", ref.path, job.final_path, extract=extract)
        item.total = expected_size

        async def run(report: Reporter) -> DownloadResult:
            return await self._downloader.checkpoint(job, on_progress=report, limits=self.limits)

        return self._start(item, run)

    def add_trace(self, session_id: str, out_dir: Path, *, force: bool = False) -> DownloadItem:
        """Queue a session's trace export: polled while the server builds it, then saved."""
        dest = out_dir.expanduser() / f"{session_id}.pftrace"
        running = self._active_for(dest)
        if running is not None:
            return running
        item = DownloadItem(self._new_id(), "trace", f"trace of {session_id}", dest, extract=False)

        async def run(report: Reporter) -> DownloadResult:
            return await self._downloader.trace(
                session_id,
                dest,
                force=force,
                poll_seconds=self.trace_poll_seconds,
                on_progress=report,
                limits=self.limits,
            )

        return self._start(item, run)

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
        item.rate = 0.0
        item.eta = None
        item.finished_at = None
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
        """Cancel what is running (parts are kept) and close the connection pool."""
        tasks = [task for task in self._tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._downloader.aclose()

    # --- running ---------------------------------------------------------------------------

    def _new_id(self) -> str:
        return f"dl-{next(self._ids)}"

    def _active_for(self, destination: Path) -> DownloadItem | None:
        return next(
            (i for i in self.items.values() if i.active and i.destination == destination), None
        )

    def _start(
        self,
        item: DownloadItem,
        run: Runner,
    ) -> DownloadItem:
        self.items[item.id] = item
        self._jobs[item.id] = run
        self._launch(item)
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
                item.state = DownloadState.DOWNLOADING
                self._changed(item)
                result = await job(lambda event: self._progress(item, event))
        except asyncio.CancelledError:
            self._finish(item, DownloadState.CANCELLED)
            raise
        except LazytinkerError as error:
            self._finish(item, DownloadState.FAILED, error=str(error))
        except Exception as error:  # one broken download must not end the app
            self._finish(item, DownloadState.FAILED, error=f"Unexpected error: {error}")
        else:
            item.result = result.path
            item.done = result.bytes
            item.total = result.bytes
            self._finish(item, DownloadState.DONE)

    def _progress(self, item: DownloadItem, event: Progress) -> None:
        item.state = _PHASE_STATE[event.phase]
        item.retry_after = event.retry_after if event.phase == "building" else None
        if event.phase in ("downloading", "extracting", "done"):
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
        item.finished_at = time.monotonic()
        self._changed(item)


def completion_notices(
    manager: DownloadManager, notify: Callable[[str, str], None]
) -> Callable[[], None]:
    """Call `notify(message, severity)` once when a download completes or fails.

    The store passes its own `notify`, so the app shows a toast saying where the files went.
    Returns the function that stops it.
    """
    told: dict[str, DownloadState] = {}

    def listen(item: DownloadItem) -> None:
        if not item.state.finished:
            told.pop(item.id, None)  # a retry may end again and deserves a new toast
            return
        if told.get(item.id) is item.state or item.state is DownloadState.CANCELLED:
            return
        told[item.id] = item.state
        if item.state is DownloadState.DONE:
            notify(f"Downloaded {item.label} to {item.result or item.destination}", "information")
        else:
            notify(f"Download of {item.label} failed: {item.error}", "error")

    return manager.subscribe(listen)
