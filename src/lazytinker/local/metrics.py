"""The reader of `metrics.jsonl`: one bounded curve per metric, the step, progress, ETA and cost.

The cookbook writes one JSON object per logged step, `{"step": N, ...}`, whose keys depend on the
recipe; a summary row may have no step (it is placed at the last step seen). Values that are not
numbers (text, lists, objects) are not metrics and are passed over.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from lazytinker.local.recipe import COST_KEY, PROGRESS_KEYS, STEP_TIME_KEY
from lazytinker.local.safe_io import parse_object
from lazytinker.local.series import DEFAULT_CAPACITY, MetricCurve, Series

MAX_METRICS = 512
"""Metric names kept per folder; later new ones are ignored (a file could invent millions)."""
MAX_KEY_CHARS = 200
ETA_WINDOW = 32
"""Recent progress records the ETA's rate is measured over: the current pace, not the average."""
_BIG = 2**1023
"""Integers beyond this do not fit a float; such a value is not a metric anyone logged."""


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
        for line in lines:
            record = parse_object(line)
            if record is None:
                self.bad_lines += 1
            else:
                self._add(record)
        self.revision += 1

    def _add(self, record: dict[str, Any]) -> None:
        step = record.get("step")
        if type(step) is int:
            self.step = step
        else:
            step = self.step if self.step is not None else 0
        self.records += 1
        series = self.series
        for key, value in record.items():
            kind = type(value)
            if kind is int:
                if not -_BIG < value < _BIG:
                    continue
                value = float(value)
            elif kind is not float:
                continue
            line = series.get(key)
            if line is None:
                if key == "step" or len(series) >= self.max_metrics or len(key) > MAX_KEY_CHARS:
                    continue
                line = series[key] = Series(key, self.capacity)
            line.add(step, value)
        self._track_progress(record)

    def _track_progress(self, record: dict[str, Any]) -> None:
        step_time = _finite(record.get(STEP_TIME_KEY))
        if step_time is not None and step_time >= 0:
            self.elapsed += step_time
        for key in PROGRESS_KEYS:
            done = _finite(record.get(key))
            if done is not None:
                self.progress = min(max(done, 0.0), 1.0)
                self._pace.append((self.elapsed, self.progress))
                return

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


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
