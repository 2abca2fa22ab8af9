"""Checkpoints the training script recorded that the server no longer has.

A log folder's `checkpoints.jsonl` names every save the script saw complete; the server's list
of a run's checkpoints says what is left. A record whose path the server no longer lists was
deleted (by this app, another client, or the cookbook itself for a rolling save) or has expired.
`Vanished` remembers, for the checkpoints the store has seen, when they were due to expire and
which ones went while the app watched, so a gone record can say which of those it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.keyed import Change

if TYPE_CHECKING:
    from lazytinker.local import LocalCheckpoint
    from lazytinker.store.state import StoreState

Why = Literal["expired", "deleted", "gone", "rolled"]
"""Expired (it was due to), deleted (it went while the app watched, before its expiry), gone
(not on the server, why unknown), rolled (a rolling save the cookbook deletes itself)."""

MAX_REMEMBERED = 100_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class GoneCheckpoint(Checkpoint):
    """A row for a checkpoint recorded locally but not on the server any more."""

    gone: Why = "gone"
    step: int | None = None


class Vanished:
    """Listens to the store's changes: expiries of checkpoints seen, and which went when."""

    def __init__(self, state: StoreState) -> None:
        self.state = state
        self.expiry: dict[str, datetime] = {}
        self.went: dict[str, Why] = {}
        state.subscribe(self.on_change)

    def on_change(self, change: Change) -> None:
        """Remember what a checkpoint collection's change shows or takes away."""
        name = change.collection
        if not (name.startswith("checkpoints:") or name == "user_checkpoints"):
            return
        keyed = self.state.collection(name)
        if keyed is None:
            return
        for key in (*change.added, *change.updated):
            item = keyed.get(key)
            room = len(self.expiry) < MAX_REMEMBERED or key in self.expiry
            if isinstance(item, Checkpoint) and item.expires_at is not None and room:
                self.expiry[key] = item.expires_at
        now = self.state.now()
        for key in change.removed:
            expires = self.expiry.pop(key, None)
            if len(self.went) < MAX_REMEMBERED:
                self.went[key] = "expired" if expires is not None and expires <= now else "deleted"

    def why(self, path: str, record: LocalCheckpoint) -> Why:
        """Why a recorded checkpoint is not on the server."""
        if record.rolling:
            return "rolled"
        seen = self.went.get(path)
        if seen is not None:
            return seen
        expires = self.expiry.get(path)
        if expires is not None and expires <= self.state.now():
            return "expired"
        return "gone"


def gone_rows(state: StoreState, vanished: Vanished, run_id: str) -> list[GoneCheckpoint]:
    """Rows for the run's recorded checkpoints that its loaded server listing lacks."""
    held = state.checkpoints.get(run_id)
    if held is None or not held.loaded:
        return []
    records = state.local.checkpoints_of(run_id)
    if not records:
        return []
    timeline = _timeline(state, held.items.values())
    rows: list[GoneCheckpoint] = []
    seen: set[str] = set()
    for record in records:
        for path in record.paths:
            if path in held or path in seen:
                continue
            seen.add(path)
            row = _row(path, record, vanished.why(path, record), timeline)
            if row is not None:
                rows.append(row)
    return rows


def _row(
    path: str, record: LocalCheckpoint, why: Why, timeline: list[tuple[int, datetime]]
) -> GoneCheckpoint | None:
    try:
        ref = CheckpointRef.parse(path)
    except ValueError:
        return None
    return GoneCheckpoint(
        checkpoint_id=ref.checkpoint_id,
        checkpoint_type=ref.kind.value,
        time=_estimate_time(record.step, timeline),
        tinker_path=path if path.startswith("tinker://") else None,
        checkpoint_path=None if path.startswith("tinker://") else path,
        gone=why,
        step=record.step,
    )


def _timeline(state: StoreState, checkpoints: Iterable[Checkpoint]) -> list[tuple[int, datetime]]:
    """(step, time) of the run's server checkpoints that have a local record, by step."""
    pairs: dict[int, datetime] = {}
    for checkpoint in checkpoints:
        record = state.local.checkpoint_at(checkpoint.path)
        # A checkpoint without a time (some servers send null) places nothing on the line.
        if record is not None and record.step is not None and checkpoint.time is not None:
            pairs.setdefault(record.step, checkpoint.time)
    return sorted(pairs.items())


def _estimate_time(step: int | None, timeline: list[tuple[int, datetime]]) -> datetime:
    """When a save at `step` was likely made, from the saves around it (the records carry no
    time); the epoch when nothing tells."""
    if step is None or not timeline:
        return EPOCH
    if len(timeline) == 1:
        return timeline[0][1]
    (first_step, first_time), (last_step, last_time) = timeline[0], timeline[-1]
    if last_step == first_step:
        return first_time
    per_step = (last_time - first_time) / (last_step - first_step)
    return first_time + per_step * (step - first_step) if per_step else first_time
