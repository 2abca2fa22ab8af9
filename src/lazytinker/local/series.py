"""Bounded metric curves: every record counts, memory stays fixed.

A `Series` keeps at most `capacity` points. Each point is the mean of a run of consecutive values
(a bucket) placed at the step of the bucket's last value; when the points fill up, neighbouring
pairs are merged and buckets grow twice as long, so a curve of a million steps costs the same as
one of a thousand. The latest value is kept apart, exactly as logged.

Values arrive a batch at a time (a chunk of a file) and are bucketed over slices, so the work per
value stays in C. Points are stored packed, 4-byte steps and 4-byte floats (a curve is drawn, not
computed with), in immutable bytes that each snapshot shares instead of copying.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import msgspec

DEFAULT_CAPACITY = 256
"""Points kept per curve: more than a terminal is wide."""

STEP_LIMIT = 2**31
"""Steps are kept as 4-byte integers: a logged step outside ±2**31 is not a step."""
_BIG = 2**1023
"""Integers beyond this do not fit a float; such a value is not a metric anyone logged."""
_PACKED_MAX = 3.4028234663852886e38
"""The largest 4-byte float: a value beyond it would be packed as an infinity (and a sum of two
such values overflows), so the curve leaves it out as it leaves out NaN and infinities."""


class MetricCurve(msgspec.Struct, frozen=True):
    """One metric of one log folder: its latest value exactly and a downsampled curve."""

    name: str
    latest: float
    """The value of the newest record that had this metric (may be NaN or infinite as logged)."""
    latest_step: int
    count: int
    """How many records had this metric as a number."""
    packed_steps: bytes
    packed_values: bytes
    open_bucket: tuple[int, float] | None = None
    """The last point while its bucket is still filling (its mean so far)."""

    @property
    def steps(self) -> tuple[int, ...]:
        """The step of each point, oldest first."""
        steps = tuple(array("i", self.packed_steps))
        return (*steps, self.open_bucket[0]) if self.open_bucket else steps

    @property
    def values(self) -> tuple[float, ...]:
        """The value of each point: a bucket mean; what a 4-byte float cannot hold (NaN,
        infinities, beyond ±3.4e38) is left out."""
        values = tuple(array("f", self.packed_values))
        return (*values, self.open_bucket[1]) if self.open_bucket else values

    @property
    def points(self) -> tuple[tuple[int, float], ...]:
        """(step, value) pairs, oldest first."""
        return tuple(zip(self.steps, self.values, strict=True))


class Series:
    """The growing, bounded curve of one metric (see the module docstring)."""

    __slots__ = (
        "_bucket_step",
        "_cache",
        "_n",
        "_steps",
        "_stride",
        "_sum",
        "_values",
        "capacity",
        "count",
        "latest",
        "latest_step",
        "name",
    )

    def __init__(self, name: str, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self.name = name
        self.capacity = capacity
        self.latest = math.nan
        self.latest_step = 0
        self.count = 0
        self._steps = b""
        self._values = b""
        self._stride = 1
        self._sum = 0.0
        self._n = 0
        self._bucket_step = 0
        self._cache: MetricCurve | None = None

    def add(self, step: int, value: float) -> None:
        """Record one value logged at `step` (within ±`STEP_LIMIT`)."""
        self.extend([step], [value])

    def extend(self, steps: Sequence[int], values: Sequence[object]) -> None:
        """Record values logged at `steps`, in order; values that are not numbers are skipped."""
        # Comprehensions, not a helper called per value: this is the hot loop of a first read.
        is_number = [type(v) is float or (type(v) is int and -_BIG < v < _BIG) for v in values]
        steps, kept = _keep(steps, values, is_number)
        if not kept:
            return
        numbers = [float(value) for value in kept]  # type: ignore[arg-type]
        self._cache = None
        self.count += len(numbers)
        self.latest_step, self.latest = steps[-1], numbers[-1]
        # NaN compares false: this keeps finite values a packed float can hold.
        steps, finite = _keep(steps, numbers, [-_PACKED_MAX <= v <= _PACKED_MAX for v in numbers])
        if finite:
            self._bucket(steps, finite)  # type: ignore[arg-type]

    def _bucket(self, steps: Sequence[int], values: list[float]) -> None:
        points = (array("i", self._steps), array("f", self._values))
        at, end = 0, len(values)
        while at < end:
            if self._n == 0 and end - at >= self._stride:
                at, points = self._whole_buckets(points, steps, values, at)
                continue
            take = min(self._stride - self._n, end - at)
            self._sum += sum(values[at : at + take])
            self._n += take
            at += take
            self._bucket_step = steps[at - 1]
            if self._n >= self._stride:
                points[0].append(self._bucket_step)
                points[1].append(self._sum / self._n)
                self._sum, self._n = 0.0, 0
                points = self._halve_if_full(points)
        self._steps, self._values = points[0].tobytes(), points[1].tobytes()

    def _whole_buckets(
        self,
        points: tuple[array[int], array[float]],
        steps: Sequence[int],
        values: list[float],
        at: int,
    ) -> tuple[int, tuple[array[int], array[float]]]:
        """Append whole buckets from `at` as far as the next halving; the new `at` and points."""
        stride = self._stride
        count = min((len(values) - at) // stride, self.capacity - len(points[1]))
        stop = at + count * stride
        if stride == 1:
            points[0].extend(steps[at:stop])
            points[1].extend(values[at:stop])
        else:
            starts = range(at, stop, stride)
            points[0].extend([steps[start + stride - 1] for start in starts])
            points[1].extend([sum(values[start : start + stride]) / stride for start in starts])
        return stop, self._halve_if_full(points)

    def _halve_if_full(
        self, points: tuple[array[int], array[float]]
    ) -> tuple[array[int], array[float]]:
        """Merge neighbouring points when full: half as many, each twice as long a bucket."""
        steps, values = points
        if len(values) < self.capacity:
            return points
        self._stride *= 2
        merged = array("f", [(values[i] + values[i + 1]) / 2 for i in range(0, len(values), 2)])
        return steps[1::2], merged

    def curve(self) -> MetricCurve:
        """An immutable view of this series (built once per change; it shares the packed bytes)."""
        if self._cache is None:
            open_bucket = (self._bucket_step, self._sum / self._n) if self._n else None
            self._cache = MetricCurve(
                self.name,
                self.latest,
                self.latest_step,
                self.count,
                self._steps,
                self._values,
                open_bucket,
            )
        return self._cache


def _keep(
    steps: Sequence[int], values: Sequence[object], mask: list[bool]
) -> tuple[Sequence[int], list[object]]:
    """The steps and values where `mask` is true; no filtering pass when it is true throughout."""
    if all(mask):
        return steps, list(values)
    return (
        [step for step, ok in zip(steps, mask, strict=True) if ok],
        [value for value, ok in zip(values, mask, strict=True) if ok],
    )
