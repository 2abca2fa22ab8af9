"""The reader of `metrics.jsonl`: one bounded curve per metric, the step, progress, ETA and cost.

The cookbook writes one JSON object per logged step, `{"step": N, ...}`, whose keys depend on the
recipe; a summary row may have no step (it is placed at the last step seen). Values that are not
numbers (text, lists, objects) are not metrics and are passed over.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

from lazytinker.local.recipe import COST_KEY, PROGRESS_KEYS, STEP_TIME_KEY
from lazytinker.local.safe_io import parse_objects
from lazytinker.local.series import DEFAULT_CAPACITY, STEP_LIMIT, MetricCurve, Series

MAX_METRICS = 512
"""Metric names kept per folder; later new ones are ignored (a file could invent millions)."""
MAX_KEY_CHARS = 200
_NUMBER = (float, int)
_MAX_STEP_SECONDS = 1e9
"""A logged step time beyond this (three decades) is not a step time."""
ETA_WINDOW = 32
"""Recent progress records the ETA's rate is measured over: the current pace, not the average."""


class MetricsLog:
    """A `LineSink` for metrics.jsonl (see the module docstring)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, max_metrics: int = MAX_METRICS) -> None:
        self.capacity = capacity
        self.max_metrics = max_metrics
        self.series: dict[str, Series] = {}
        self.step: int | None = None
        self.records = 0
        self.bad_lines = 0
        """Lines that were not a JSON object (since the last restart)."""
        self.elapsed = 0.0
        """Sum of the logged step times, in seconds."""
        self.progress: float | None = None
        self._pace: deque[tuple[float, float]] = deque(maxlen=ETA_WINDOW)
        self.revision = 0

    def restart(self) -> None:
        """Forget everything: the file was rewritten (a resume) or replaced."""
        self.series = {}
        self.step = None
        self.records = 0
        self.bad_lines = 0
        self.elapsed = 0.0
        self.progress = None
        self._pace.clear()
        self.revision += 1

    def feed(self, lines: list[bytes]) -> None:
        """Parse and record complete lines."""
        records, bad = parse_objects(lines)
        self.bad_lines += bad
        self.revision += 1
        if not records:
            return
        self.records += len(records)
        steps = self._steps_of(records)
        self._track_progress(records)
        for key, key_steps, values in self._columns(records, steps):
            series = self.series.get(key) or Series(key, self.capacity)
            series.extend(key_steps, values)
            if series.count and key not in self.series:
                # Only a name that has had a number becomes a metric (not `"note": "text"`).
                self.series[key] = series

    def _steps_of(self, records: list[dict[str, Any]]) -> list[int]:
        """Each record's step; a record without one is placed at the step before it."""
        steps: list[int] = []
        last = self.step
        for raw in [record.get("step") for record in records]:
            if type(raw) is int and -STEP_LIMIT < raw < STEP_LIMIT:
                last = raw
            steps.append(last if last is not None else 0)
        self.step = last
        return steps

    def _columns(
        self, records: list[dict[str, Any]], steps: list[int]
    ) -> Iterator[tuple[str, Sequence[int], list[object]]]:
        """Each metric name of the batch with its steps and values, a column at a time."""
        room = self.max_metrics - len(self.series)
        names = [
            name
            for name in dict.fromkeys(chain.from_iterable(records))
            if name in self.series or (name != "step" and len(name) <= MAX_KEY_CHARS)
        ]
        new = [name for name in names if name not in self.series]
        if len(new) > room:
            names = [name for name in names if name in self.series] + new[: max(room, 0)]
        if len(names) * len(records) <= 4 * sum(map(len, records)):
            # Dense (the usual case: most records have most names): a pass per name, in C.
            for name in names:
                yield name, steps, [record.get(name) for record in records]
            return
        # Sparse (each record its own names): one pass over every value instead.
        wanted = set(names)
        columns: dict[str, tuple[list[int], list[object]]] = {}
        for step, record in zip(steps, records, strict=True):
            for name, value in record.items():
                if name in wanted:
                    column = columns.setdefault(name, ([], []))
                    column[0].append(step)
                    column[1].append(value)
        for name, (name_steps, values) in columns.items():
            yield name, name_steps, values

    def _track_progress(self, records: list[dict[str, Any]]) -> None:
        done_key, fallback_key = PROGRESS_KEYS
        times = [record.get(STEP_TIME_KEY) for record in records]
        dones = [record.get(done_key, record.get(fallback_key)) for record in records]
        for step_time, done in zip(times, dones, strict=True):
            if type(step_time) in _NUMBER and 0 <= step_time < _MAX_STEP_SECONDS:  # type: ignore[operator]
                self.elapsed += step_time  # type: ignore[operator]
            if type(done) in _NUMBER and done - done == 0:  # type: ignore[operator]
                self.progress = min(max(float(done), 0.0), 1.0)  # type: ignore[arg-type]
                self._pace.append((self.elapsed, self.progress))

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the recent pace, or None while the pace is unknown."""
        done = self.progress
        if done is None or not self._pace:
            return None
        if done >= 1.0:
            return 0.0
        first_time, first_done = self._pace[0]
        last_time, last_done = self._pace[-1]
        if last_done > first_done and last_time > first_time:
            rate = (last_time - first_time) / (last_done - first_done)
        elif done > 0 and self.elapsed > 0:
            rate = self.elapsed / done
        else:
            return None
        return (1.0 - done) * rate

    @property
    def cost_usd(self) -> float | None:
        """The cumulative cost the cookbook estimated, as last logged."""
        series = self.series.get(COST_KEY)
        return series.latest if series is not None else None

    def curves(self) -> dict[str, MetricCurve]:
        """Every metric's curve, by name, in the order the names first appeared."""
        return {name: series.curve() for name, series in self.series.items()}
