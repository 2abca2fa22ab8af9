"""One download as the downloads view shows it: its state, bytes, rate and ETA, what the server is
doing meanwhile, and how it ended. No UI and no network here.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:
    from lazytinker.api.transfer import Phase

__all__ = ["PHASE_STATE", "DownloadItem", "DownloadState"]


class DownloadState(StrEnum):
    """Where one download is in its life."""

    QUEUED = "queued"
    STARTING = "starting"
    BUILDING = "building"
    EXPORTING = "exporting"
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"
    EXTRACTING = "extracting"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether nothing more will happen without a retry."""
        return self in (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED)


PHASE_STATE: dict[Phase, DownloadState] = {
    "resolving": DownloadState.STARTING,
    "exporting": DownloadState.EXPORTING,
    "building": DownloadState.BUILDING,
    "downloading": DownloadState.DOWNLOADING,
    "verifying": DownloadState.VERIFYING,
    "extracting": DownloadState.EXTRACTING,
    "done": DownloadState.VERIFYING,  # DONE is set once the result is in hand
}


class DownloadItem(msgspec.Struct):
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
    detail: str | None = None
    error: str | None = None
    result: Path | None = None
    extract: bool = True
    attempts: int = 0
    started: float | None = None
    finished_at: float | None = None
    # Already complete and verified when asked for again: nothing was fetched.
    skipped: bool = False
    # Left unfinished by an earlier run of the app and found in the download folder.
    found: bool = False
    notes: list[str] = msgspec.field(default_factory=list)

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

    @property
    def folder(self) -> Path:
        """The folder the download goes into."""
        return self.destination.parent
