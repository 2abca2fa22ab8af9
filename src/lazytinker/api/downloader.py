"""`Downloader`: checkpoint and trace downloads from one API source with one fetcher.

The store's download manager runs many downloads; this keeps the fetcher (and every network
detail) on the API side of the line.
"""

from __future__ import annotations

from pathlib import Path

from lazytinker.api.download import (
    TRACE_POLL_SECONDS,
    ArchiveSource,
    CheckpointDownload,
    ConfirmExport,
    DownloadResult,
    NoteCallback,
    download_checkpoint,
    download_trace,
    new_fetcher,
)
from lazytinker.api.rawhttp import Fetcher
from lazytinker.api.stream import DEFAULT_LIMITS, Limits, ProgressCallback

__all__ = ["Downloader"]


class Downloader:
    """Downloads checkpoints and traces from `source`."""

    def __init__(self, source: ArchiveSource, *, fetcher: Fetcher | None = None) -> None:
        self.source = source
        self.fetcher = fetcher or new_fetcher()

    async def checkpoint(
        self,
        job: CheckpointDownload,
        *,
        on_progress: ProgressCallback | None = None,
        limits: Limits = DEFAULT_LIMITS,
        confirm_export: ConfirmExport | None = None,
        on_note: NoteCallback | None = None,
    ) -> DownloadResult:
        """Download one checkpoint as `job` says (see `download.download_checkpoint`)."""
        return await download_checkpoint(
            self.source,
            self.fetcher,
            job,
            on_progress=on_progress,
            limits=limits,
            confirm_export=confirm_export,
            on_note=on_note,
        )

    async def trace(
        self,
        session_id: str,
        dest: Path,
        *,
        force: bool = False,
        poll_seconds: float = TRACE_POLL_SECONDS,
        on_progress: ProgressCallback | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> DownloadResult:
        """Wait for a session's trace export, then save it (see `download.download_trace`)."""
        return await download_trace(
            self.source,
            self.fetcher,
            session_id,
            dest,
            force=force,
            poll_seconds=poll_seconds,
            on_progress=on_progress,
            limits=limits,
        )

    async def aclose(self) -> None:
        """Nothing to close: each transfer opens and closes its own connection."""
