"""The immutable pictures of the training box that the store holds and announces."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from lazytinker.local.checkpoints import LocalCheckpoint
    from lazytinker.local.recipe import Recipe
    from lazytinker.local.series import MetricCurve

ACTIVE_SECONDS = 120.0
"""A folder written to this recently is running (the cookbook's own registry uses 120 s)."""


class Status(StrEnum):
    """Whether a log folder's training is going on."""

    RUNNING = "running"
    IDLE = "idle"
    COMPLETED = "completed"


class LocalRun(msgspec.Struct, frozen=True, eq=False):
    """One cookbook log folder as last read: what trains, how far, how well, which runs.

    A folder is one training job as its user sees it; it can span several service runs (each
    resume starts a new one), listed in `run_ids` in start order. Compare snapshots of one folder
    by `revision`: it grows whenever anything in the snapshot changed.
    """

    key: str
    """The folder's path as found: stable for the folder's life, unique among folders."""
    name: str
    """A readable name: the folder's own name (the cookbook names folders after the run)."""
    run_ids: tuple[str, ...]
    recipe: Recipe
    status: Status
    last_write: float | None
    """Newest modification time (epoch seconds) of metrics.jsonl, checkpoints.jsonl or logs.log."""
    step: int | None
    """The step of the newest metrics record."""
    progress: float | None
    """Fraction done, 0 to 1, as the training script logged it."""
    eta_seconds: float | None
    cost_usd: float | None
    main_metrics: tuple[str, ...]
    """The names in `metrics` to show first: loss for supervised, reward and KL for RL."""
    metrics: Mapping[str, MetricCurve]
    checkpoints: tuple[LocalCheckpoint, ...]
    """The records of checkpoints.jsonl, oldest first."""
    checkpoint_by_path: Mapping[str, LocalCheckpoint]
    """Each service path a record names (state and sampler) -> the newest such record."""
    skipped_lines: int
    """Lines of the folder's files that were unreadable (too long, not JSON, not a record)."""
    caught_up: bool
    """False while a large file is still being read: refresh again soon for the rest."""
    revision: int

    @property
    def run_id(self) -> str | None:
        """The newest service run of this folder (the one a running job is using)."""
        return self.run_ids[-1] if self.run_ids else None

    def latest(self, metric: str) -> float | None:
        """The newest logged value of one metric, exactly, or None if it was never logged."""
        curve = self.metrics.get(metric)
        return curve.latest if curve is not None else None

    def checkpoints_of(self, run_id: str) -> tuple[LocalCheckpoint, ...]:
        """The records whose paths belong to one service run."""
        return tuple(record for record in self.checkpoints if record.run_id == run_id)

    def checkpoint_at(self, path: str) -> LocalCheckpoint | None:
        """The newest record naming this service path (state or sampler), if any."""
        return self.checkpoint_by_path.get(path)


class LocalChange(msgspec.Struct, frozen=True):
    """What one refresh changed, by folder key (`LocalRun.key`)."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.updated or self.removed)


def status_of(
    last_write: float | None, final_saved: bool, now: float, active_seconds: float = ACTIVE_SECONDS
) -> Status:
    """Completed once the newest checkpoint record is the final one; running while the folder is
    being written to; idle otherwise.

    The cookbook's registry checks "recently written" first, so a run shows as running for two
    minutes after its final save; the final record is checked first here because the script
    exits right after writing it.
    """
    if final_saved:
        return Status.COMPLETED
    if last_write is not None and now - last_write < active_seconds:
        return Status.RUNNING
    return Status.IDLE


class LocalState(msgspec.Struct, frozen=True, eq=False):
    """Every followed log folder, and which folder each service run id belongs to."""

    runs: Mapping[str, LocalRun]
    """By folder key, in the order the scan found them."""
    folder_of_run: Mapping[str, str]
    """Service run id -> folder key (a run id seen in two folders goes to the newer one)."""
    scan_truncated: bool = False
    """The last scan hit a bound (depth aside): a folder may have been missed."""

    @property
    def caught_up(self) -> bool:
        """Every folder has been read to its end (else refresh again soon for the rest)."""
        return all(run.caught_up for run in self.runs.values())

    def for_run(self, run_id: str) -> LocalRun | None:
        """The log folder a service run wrote to, if it is on this box."""
        key = self.folder_of_run.get(run_id)
        return self.runs.get(key) if key is not None else None

    def checkpoints_of(self, run_id: str) -> tuple[LocalCheckpoint, ...]:
        """The checkpoint records a service run's script wrote (to compare with the server's)."""
        run = self.for_run(run_id)
        return run.checkpoints_of(run_id) if run is not None else ()

    def checkpoint_at(self, path: str) -> LocalCheckpoint | None:
        """The local record of a checkpoint's `tinker://` (or `hpcai://`) path: its step, epoch,
        whether it is final or rolling. None if no folder on this box recorded it."""
        if not self.folder_of_run:
            return None  # no folder names a run (the app's start): nothing to import or look up
        # Imported here: only a lookup needs it (with `safe_io`, ~3 ms the start need not pay).
        from lazytinker.local.checkpoints import run_id_of_path

        run_id = run_id_of_path(path)
        run = self.for_run(run_id) if run_id is not None else None
        return run.checkpoint_at(path) if run is not None else None
