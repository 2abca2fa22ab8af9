"""`Downloader`: checkpoint and trace downloads from one API source over one connection pool.

The store's download manager runs many downloads over one pool for the signed URLs; this keeps
that pool (and httpx) on the API side of the line. The pool opens on the first download.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from lazytinker.api.download import (
    TRACE_POLL_SECONDS,
    ArchiveSource,
    CheckpointDownload,
    DownloadResult,
    download_checkpoint,
    download_trace,
    new_http_client,
)
from lazytinker.api.stream import DEFAULT_LIMITS, Limits, ProgressCallback

__all__ = ["Downloader"]


class Downloader:
    """Downloads checkpoints and traces from `source`, sharing one pool for signed URLs."""

    def __init__(
        self,
        source: ArchiveSource,
        *,
        http_factory: Callable[[], httpx.AsyncClient] = new_http_client,
    ) -> None:
        self.source = source
        self._http_factory = http_factory
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self._http_factory()
        return self._http

    async def checkpoint(
        self,
        job: CheckpointDownload,
        *,
        on_progress: ProgressCallback | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> DownloadResult:
        """Download one checkpoint as `job` says (see `download.download_checkpoint`)."""
        return await download_checkpoint(
            self.source, self._client(), job, on_progress=on_progress, limits=limits
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
            self._client(),
            session_id,
            dest,
            force=force,
            poll_seconds=poll_seconds,
            on_progress=on_progress,
            limits=limits,
        )

    async def aclose(self) -> None:
        """Close the pool (a later download opens a new one)."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
