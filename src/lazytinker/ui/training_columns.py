"""Columns that join the training box to the service: run names and states, a checkpoint's step
from its local record, a chosen metadata metric with the best checkpoint marked, and the rows of
checkpoints recorded locally but gone from the server."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import msgspec

from lazytinker.api.models import Checkpoint, TrainingRun
from lazytinker.local import Status
from lazytinker.store import Store, run_is_active
from lazytinker.store.gone import EPOCH, GoneCheckpoint
from lazytinker.ui import format as fmt
from lazytinker.ui.table import Column

LOWER_IS_BETTER = ("loss", "nll", "err", "perplexity", "ppl", "kl", "wer", "cer", "bpb")
"""A metric whose name has one of these in it is best when lowest (else when highest)."""

STATE_WORDS = {Status.RUNNING: "● running", Status.IDLE: "idle", Status.COMPLETED: "✓ done"}


def run_state(store: Store, run: TrainingRun) -> str:
    """A run's state: from its log folder when it is on this box, else from its last request."""
    if run.corrupted:
        return "corrupt"
    local = store.local_run(run.training_run_id)
    if local is not None:
        return STATE_WORDS[local.status]
    return "● active" if run_is_active(run, store.moment) else ""


def run_state_mark(store: Store, run: TrainingRun) -> str | None:
    """The style of a run's state cell."""
    if run.corrupted:
        return "danger"
    local = store.local_run(run.training_run_id)
    if local is not None:
        return {Status.RUNNING: "active", Status.COMPLETED: "good"}.get(local.status, "dim")
    return "active" if run_is_active(run, store.moment) else None


def run_name_column(store: Store) -> Column[TrainingRun]:
    """The readable name of a run (searchable: `/` finds runs by name)."""
    return Column(
        "name",
        "Name",
        lambda r: store.run_name(r.training_run_id) or "",
        min_width=10,
        priority=8,
        cut="middle",
    )


# --- a run's checkpoints against the local record ----------------------------------------------


def metric_value(checkpoint: Checkpoint, key: str) -> float | None:
    """A numeric metadata value of a checkpoint (`eval_loss=0.41`), or None."""
    raw = (checkpoint.user_metadata or {}).get(key)
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def numeric_keys(checkpoints: Iterable[Checkpoint]) -> list[str]:
    """Metadata keys with a number in at least one checkpoint, sorted."""
    keys: set[str] = set()
    for checkpoint in checkpoints:
        for key in checkpoint.user_metadata or {}:
            if key not in keys and metric_value(checkpoint, key) is not None:
                keys.add(key)
    return sorted(keys)


def lower_is_better(key: str) -> bool:
    """Whether the best value of a metric is its lowest (losses) or its highest (rewards)."""
    folded = key.casefold()
    return any(word in folded for word in LOWER_IS_BETTER)


class MetricChoice:
    """The metadata metric shown as a column of a run's checkpoints, and its best row."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.best: str | None = None

    def update_best(self, checkpoints: Iterable[Checkpoint]) -> bool:
        """Find the best checkpoint by the chosen metric; True if it changed."""
        best: tuple[float, str] | None = None
        key = self.key
        if key is not None:
            sign = 1.0 if lower_is_better(key) else -1.0
            for checkpoint in checkpoints:
                value = metric_value(checkpoint, key)
                if value is not None and (best is None or sign * value < best[0]):
                    best = (sign * value, checkpoint.path)
        path = best[1] if best is not None else None
        changed = path != self.best
        self.best = path
        return changed

    def render(self, checkpoint: Checkpoint) -> str:
        """The cell: the value, starred on the best checkpoint."""
        if self.key is None:
            return ""
        value = metric_value(checkpoint, self.key)
        if value is None:
            return "-"
        text = f"{value:.4g}"
        return f"★ {text}" if checkpoint.path == self.best else text

    def column(self) -> Column[Checkpoint]:
        """The column of the chosen metric (call with a key chosen)."""
        key = self.key or "metric"
        sign = 1.0 if lower_is_better(key) else -1.0
        return Column(
            "metric",
            key[-12:],
            self.render,
            width=max(9, min(len(key), 12)),
            align="right",
            searchable=False,
            sort=lambda c: (v * sign) if (v := metric_value(c, key)) is not None else None,
            mark=lambda c: "good" if c.path == self.best else None,
            priority=7,
        )


def step_text(store: Store, checkpoint: Checkpoint) -> str:
    """The training step of a checkpoint from its local record (`e1 b40`: epoch and batch,
    when the record names no step)."""
    if isinstance(checkpoint, GoneCheckpoint):
        return "-" if checkpoint.step is None else str(checkpoint.step)
    record = store.checkpoint_record(checkpoint.path)
    if record is None:
        return ""
    if record.step is not None:
        return str(record.step)
    if record.epoch is not None and record.batch is not None:
        return f"e{record.epoch} b{record.batch}"
    return f"ep {record.epoch}" if record.epoch is not None else ""


def step_of(store: Store, checkpoint: Checkpoint) -> int | None:
    """The step of a checkpoint as a number, for sorting (None: not known)."""
    if isinstance(checkpoint, GoneCheckpoint):
        return checkpoint.step
    record = store.checkpoint_record(checkpoint.path)
    if record is None:
        return None
    return record.step if record.step is not None else record.batch


def step_column(store: Store) -> Column[Checkpoint]:
    """The step of each checkpoint, from the training script's own record."""
    return Column(
        "step",
        "Step",
        lambda c: step_text(store, c),
        width=8,
        align="right",
        searchable=False,
        sort=lambda c: step_of(store, c),
        priority=8,
    )


_GONE_CELLS = {"size": "-", "public": ""}


def _gone_aware(column: Column[Checkpoint], store: Store) -> Column[Checkpoint]:
    """The column, saying the right thing on a row for a checkpoint the server lost."""
    render, mark = column.render, column.mark

    def gone_render(c: Checkpoint) -> str:
        if not isinstance(c, GoneCheckpoint):
            return render(c)
        if column.key == "expires":
            return c.gone
        if column.key == "created":
            return "-" if c.time == EPOCH else "~" + fmt.ago(c.time, store.moment)
        return _GONE_CELLS.get(column.key) or render(c)

    def gone_mark(c: Checkpoint) -> str | None:
        if isinstance(c, GoneCheckpoint):
            return "danger" if column.key == "expires" and c.gone == "deleted" else None
        return mark(c) if mark is not None else None

    return msgspec.structs.replace(column, render=gone_render, mark=gone_mark)


def run_checkpoint_columns(
    store: Store, base: list[Column[Checkpoint]], metric: MetricChoice
) -> list[Column[Checkpoint]]:
    """A run's checkpoint columns: the usual ones (gone rows said as such), the step after the
    checkpoint's id when logs are followed, the chosen metric last."""
    columns = [_gone_aware(column, store) for column in base]
    if store.has_local_logs:
        at = next((i + 1 for i, c in enumerate(columns) if c.key == "id"), 1)
        columns.insert(at, step_column(store))
    if metric.key is not None:
        columns.append(metric.column())
    return columns


def newest_first(store: Store) -> Any:
    """A default sort key putting the newest checkpoint on top: by step, then by time."""

    def key(c: Checkpoint) -> tuple[float, float]:
        step = step_of(store, c)
        # A checkpoint without a time (some servers send null) goes after those with one.
        return (-(step if step is not None else -1), -c.time.timestamp() if c.time else 0.0)

    return key
