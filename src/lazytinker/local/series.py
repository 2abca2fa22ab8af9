"""Bounded metric curves: every record counts, memory stays fixed.

A `Series` keeps at most `capacity` points. Each point is the mean of a run of consecutive values
(a bucket) placed at the step of the bucket's last value; when the points fill up, neighbouring
pairs are merged and buckets grow twice as long, so a curve of a million steps costs the same as
one of a thousand. The latest value is kept apart, exactly as logged.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

DEFAULT_CAPACITY = 256
"""Points kept per curve: more than a terminal is wide."""


@dataclass(frozen=True, slots=True)
class MetricCurve:
    """One metric of one log folder: its latest value exactly and a downsampled curve."""

    name: str
    latest: float
    """The value of the newest record that had this metric (may be NaN or infinite as logged)."""
    latest_step: int
    count: int
    """How many records had this metric."""
    points: tuple[tuple[int, float], ...]
    """(step, value) pairs, oldest first; each a bucket mean; non-finite values left out."""


class Series:
    """The growing, bounded curve of one metric (see the module docstring)."""

    __slots__ = (
        "_bucket_step",
        "_cache",
        "_n",
        "_stride",
        "_sum",
        "capacity",
        "count",
        "latest",
        "latest_step",
        "name",
        "steps",
        "values",
    )

    def __init__(self, name: str, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self.name = name
        self.capacity = capacity
        self.steps = array("q")
        self.values = array("d")
        self.latest = math.nan
        self.latest_step = 0
        self.count = 0
        self._stride = 1
        self._sum = 0.0
        self._n = 0
        self._bucket_step = 0
        self._cache: MetricCurve | None = None

    def add(self, step: int, value: float) -> None:
        """Record one value logged at `step`."""
        self.latest = value
        self.latest_step = step
        self.count += 1
        self._cache = None
        if not math.isfinite(value):
            return
        self._sum += value
        self._n += 1
        self._bucket_step = step
        if self._n >= self._stride:
            self._close_bucket()

    def _close_bucket(self) -> None:
        if len(self.values) >= self.capacity:
            self._halve()
        self.steps.append(self._bucket_step)
        self.values.append(self._sum / self._n)
        self._sum = 0.0
        self._n = 0

    def _halve(self) -> None:
        """Merge neighbouring points: half as many, each covering twice as many values."""
        values = self.values
        self.values = array(
            "d", ((values[i] + values[i + 1]) / 2 for i in range(0, len(values), 2))
        )
        self.steps = self.steps[1::2]
        self._stride *= 2

    def curve(self) -> MetricCurve:
        """An immutable view of this series (built once per change)."""
        if self._cache is None:
            points = list(zip(self.steps, self.values, strict=True))
            if self._n:
                points.append((self._bucket_step, self._sum / self._n))
            self._cache = MetricCurve(
                self.name, self.latest, self.latest_step, self.count, tuple(points)
            )
        return self._cache
