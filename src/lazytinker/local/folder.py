"""One cookbook log folder, followed: its files read incrementally, its snapshot built on change."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from lazytinker.local.checkpoints import (
    CheckpointsLog,
    LocalCheckpoint,
    RunIdLog,
    ordered_run_ids,
)
from lazytinker.local.metrics import MetricsLog
from lazytinker.local.recipe import Recipe, kind_from_metrics, main_metrics, recipe_from_config
from lazytinker.local.safe_io import FileStamp, read_json_object, stat_regular
from lazytinker.local.series import DEFAULT_CAPACITY
from lazytinker.local.snapshot import ACTIVE_SECONDS, LocalRun, Status, status_of
from lazytinker.local.tail import LineTail

CONFIG = "config.json"
METRICS = "metrics.jsonl"
CHECKPOINTS = "checkpoints.jsonl"
LOGS = "logs.log"


class FolderWatch:
    """Follows one log folder; `poll` reads what changed, `snapshot` pictures it."""

    def __init__(
        self,
        key: str,
        path: str,
        *,
        capacity: int = DEFAULT_CAPACITY,
        active_seconds: float = ACTIVE_SECONDS,
    ) -> None:
        self.key = key
        self.path = path
        self.active_seconds = active_seconds
        self.metrics = MetricsLog(capacity)
        self.checkpoints = CheckpointsLog()
        self.run_log = RunIdLog()
        self.metrics_tail = LineTail(os.path.join(path, METRICS))
        self.checkpoints_tail = LineTail(os.path.join(path, CHECKPOINTS))
        self.logs_tail = LineTail(os.path.join(path, LOGS))
        self._config_stamp: FileStamp | None = None
        self._recipe = Recipe()
        self._revision = 0
        self._caught_up = True
        self._snapshot: LocalRun | None = None
        self._records: tuple[int, tuple[LocalCheckpoint, ...], Mapping[str, LocalCheckpoint]] = (
            -1,
            (),
            MappingProxyType({}),
        )

    def poll(self, now: float, max_bytes: int | None = None) -> bool:
        """Read what changed, at most `max_bytes` in all; True if the snapshot changed."""
        changed = self._poll_config()
        results = []
        # Checkpoints first (small, and they decide "completed"), the SDK's log last (large).
        for tail, sink in (
            (self.checkpoints_tail, self.checkpoints),
            (self.metrics_tail, self.metrics),
            (self.logs_tail, self.run_log),
        ):
            before = tail.bytes_read
            results.append(tail.read(sink, max_bytes))
            if max_bytes is not None:
                max_bytes = max(0, max_bytes - (tail.bytes_read - before))
        changed = changed or any(result.changed for result in results)
        self._caught_up = all(result.caught_up for result in results)
        previous = self._snapshot
        if changed or previous is None or previous.caught_up != self._caught_up:
            self._revision += 1
            self._snapshot = None
            return True
        if previous.status != self._status(now):
            # Only time passed, but it turned a running job idle.
            self._revision += 1
            self._snapshot = None
            return True
        return False

    def _poll_config(self) -> bool:
        config_path = os.path.join(self.path, CONFIG)
        stamp = stat_regular(config_path)
        if stamp == self._config_stamp:
            return False
        self._config_stamp = stamp
        config = read_json_object(config_path) if stamp is not None else None
        recipe = recipe_from_config(config)
        if recipe == self._recipe:
            return False
        self._recipe = recipe
        return True

    @property
    def bytes_read(self) -> int:
        """Data bytes read from the folder's files so far."""
        return sum(
            tail.bytes_read for tail in (self.metrics_tail, self.checkpoints_tail, self.logs_tail)
        )

    @property
    def last_write(self) -> float | None:
        """Newest modification time of the folder's growing files, as last read."""
        stamps = (self.metrics_tail.stamp, self.checkpoints_tail.stamp, self.logs_tail.stamp)
        times = [stamp.mtime for stamp in stamps if stamp is not None]
        return max(times) if times else None

    def _status(self, now: float) -> Status:
        records = self.checkpoints.records
        final_saved = bool(records) and records[-1].final
        return status_of(self.last_write, final_saved, now, self.active_seconds)

    def snapshot(self, now: float) -> LocalRun:
        """The folder as last polled (built once per change)."""
        if self._snapshot is not None:
            return self._snapshot
        metrics = self.metrics
        curves = metrics.curves()
        recipe = self._recipe
        if recipe.kind is None:
            recipe = replace(recipe, kind=kind_from_metrics(curves))
        status = self._status(now)
        records, by_path = self._checkpoint_records()
        self._snapshot = LocalRun(
            key=self.key,
            name=os.path.basename(os.path.normpath(self.path)) or self.path,
            run_ids=ordered_run_ids(self.run_log.run_ids, self.checkpoints.run_ids),
            recipe=recipe,
            status=status,
            last_write=self.last_write,
            step=metrics.step,
            progress=metrics.progress,
            eta_seconds=metrics.eta_seconds if status is Status.RUNNING else None,
            cost_usd=metrics.cost_usd,
            main_metrics=main_metrics(recipe.kind, curves),
            metrics=MappingProxyType(curves),
            checkpoints=records,
            checkpoint_by_path=by_path,
            skipped_lines=(
                metrics.bad_lines
                + self.metrics_tail.skipped_lines
                + self.checkpoints.bad_lines
                + self.checkpoints_tail.skipped_lines
            ),
            caught_up=self._caught_up,
            revision=self._revision,
        )
        return self._snapshot

    def _checkpoint_records(
        self,
    ) -> tuple[tuple[LocalCheckpoint, ...], Mapping[str, LocalCheckpoint]]:
        """The records and their index by path, rebuilt only when checkpoints.jsonl changed."""
        revision, records, by_path = self._records
        if revision != self.checkpoints.revision:
            records = tuple(self.checkpoints.records)
            by_path = MappingProxyType(
                {path: record for record in records for path in record.paths}
            )
            self._records = (self.checkpoints.revision, records, by_path)
        return records, by_path
