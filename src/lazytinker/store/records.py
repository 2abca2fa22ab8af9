"""Plain records the store keeps beside the wire models: sessions, notices, action results.

No behaviour here beyond two pure questions about runs (is it active, which session owns it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:
    from lazytinker.api.models import Metadata, TrainingRun

ACTIVE_WINDOW = timedelta(minutes=5)
"""A run whose last request is this recent is shown as active."""


class Connection(StrEnum):
    """How the store's last conversation with the server went."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILING = "failing"
    UNREACHABLE = "unreachable"
    KEY_REJECTED = "key rejected"
    NO_CREDENTIAL = "no credential"


class SessionInfo(msgspec.Struct, frozen=True):
    """What the store knows of one session; fields stay None until a call has told us."""

    session_id: str
    created_at: datetime | None = None
    status: str | None = None
    display_name: str | None = None
    owner: str | None = None
    user_metadata: Metadata | None = None
    checkpoints_count: int | None = None
    storage_bytes: int | None = None
    training_run_ids: tuple[str, ...] | None = None
    sampler_ids: tuple[str, ...] | None = None
    project_id: str | None = None


class Fallback(msgspec.Struct, frozen=True):
    """How a collection is loaded on a server that lacks its usual route: a few words for the
    pane's title (`from every run`), and a sentence for the about panel."""

    short: str
    detail: str


Severity = Literal["information", "warning", "error"]


class Notice(msgspec.Struct, frozen=True):
    """A one-line message for a toast (a saved checkpoint, a refused action)."""

    message: str
    severity: Severity = "information"


class ActionResult(msgspec.Struct, frozen=True):
    """The outcome of one mutation on one checkpoint path."""

    path: str
    ok: bool
    message: str = ""
    attempted: bool = True
    """False when the action was cancelled before this checkpoint's turn came."""


class Operation(msgspec.Struct):
    """Progress of a background bulk action (delete): shown by the UI, announced as `operation`."""

    label: str
    total: int
    done: int = 0
    failures: list[ActionResult] = msgspec.field(default_factory=list)
    skipped: int = 0
    """Items never tried because the action was cancelled."""
    cancelling: bool = False
    """A cancel was asked for: the calls in flight finish, no new one starts."""
    slowed: int = 0
    """How often the server's 429s narrowed the calls in flight."""

    @property
    def finished(self) -> bool:
        """True when every item was tried or skipped."""
        return self.done + self.skipped >= self.total


def run_is_active(run: TrainingRun, now: datetime) -> bool:
    """A run is active while its last request is recent."""
    return now - run.last_request_time <= ACTIVE_WINDOW


def session_of_run(run_id: str) -> str:
    """The session id a production run id starts with (`{session}:train:{n}`)."""
    head, sep, _ = run_id.partition(":train:")
    return head if sep else ""
