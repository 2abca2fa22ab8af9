"""A session's trace export (protocol.md §8.5): poll until the server has built it, then save it.

The file is named after the session id only once the id is checked to be a plain file name, so a
session id like `../x` or `/etc/x` can never decide where the file goes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

from lazytinker.api.models import TraceExportResponse
from lazytinker.api.names import child_path
from lazytinker.api.rawhttp import Fetcher
from lazytinker.api.stream import fetch_to_file
from lazytinker.api.transfer import DownloadError, Limits, Progress, ProgressCallback, Target

__all__ = ["TRACE_POLL_SECONDS", "TraceSource", "poll_trace", "trace_file"]

TRACE_POLL_SECONDS = 5.0
_MAX_POLLS = 720  # an hour at the default pace


class TraceSource(Protocol):
    """What a trace download needs from the API client."""

    async def get_trace_export(self, session_id: str) -> TraceExportResponse:
        """The state of a session's trace export, starting it if needed."""
        ...


def trace_file(folder: Path, session_id: str) -> Path:
    """Where a session's trace is saved in `folder`: `SESSION.pftrace`, the id checked first."""
    return child_path(folder, f"{session_id}.pftrace", "session id")


async def poll_trace(
    fetcher: Fetcher,
    source: TraceSource,
    session_id: str,
    dest: Path,
    *,
    poll_seconds: float,
    on_progress: ProgressCallback | None,
    limits: Limits,
) -> int:
    """Wait for the export to be ready (a `building` event per wait), then save it to `dest`."""

    async def resolve() -> Target:
        for _ in range(_MAX_POLLS):
            state = await source.get_trace_export(session_id)
            if state.status == "ready" and state.url:
                return Target(state.url)
            if state.status == "failed":
                raise DownloadError(
                    f"Trace export failed for session {session_id!r}: {state.error or 'no reason'}"
                )
            if on_progress is not None:
                on_progress(Progress("building", file=dest.name, retry_after=poll_seconds))
            await asyncio.sleep(poll_seconds)
        raise DownloadError(f"The trace of session {session_id!r} was still not ready; try later")

    return await fetch_to_file(
        fetcher,
        resolve,
        dest,
        on_progress=on_progress,
        limits=limits,
        label=dest.name,
        source=f"trace:{session_id}",
    )
