"""A line chart drawn in braille dots with axes and tick labels, as rows of styled text.

No Textual and no rich: `draw(series, width, height)` returns the rows of a chart, each a list
of `(text, style)` runs whose style is `axis`, `label`, `series-N` or `` (blank). Every cell is
a braille character (2 x 4 dots), so a 100-column plot has 200 points across; lines between
consecutive points are drawn dot by dot. A cell where several series cross takes the colour of
the last one drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BRAILLE = 0x2800
# Dot bits of a braille cell by (column, row) within the cell.
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))

Run = tuple[str, str]
"""A stretch of text and the name of its style."""


@dataclass(frozen=True, slots=True)
class Series:
    """One line of the chart: (x, y) points in x order; non-finite y values are gaps."""

    points: Sequence[tuple[float, float]]


def nice_ticks(low: float, high: float, count: int) -> list[float]:
    """About `count` round values (1, 2 or 5 times a power of ten apart) within [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low or count < 1:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) < 100:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value = first + step * len(ticks)
    return ticks


def tick_label(value: float, step: float) -> str:
    """A tick's label: as few digits as the tick spacing needs (`0.25`, `1.2e+04`)."""
    magnitude = max(abs(value), abs(step))
    if magnitude >= 1e5 or (magnitude < 1e-3 and value != 0):
        return f"{value:.2g}"
    decimals = max(0, -math.floor(math.log10(step)) if step > 0 else 0)
    return f"{value:.{min(decimals, 6)}f}"


def _bounds(series: Sequence[Series], log_y: bool) -> tuple[float, float, float, float] | None:
    xs = [x for s in series for x, y in s.points if _usable(y, log_y)]
    ys = [_y(y, log_y) for s in series for _, y in s.points if _usable(y, log_y)]
    if not xs:
        return None
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = min(ys), max(ys)
    if x_high == x_low:
        x_low, x_high = x_low - 1, x_high + 1
    if y_high == y_low:
        pad = abs(y_low) * 0.1 or 1.0
        y_low, y_high = y_low - pad, y_high + pad
    else:
        pad = (y_high - y_low) * 0.05
        y_low, y_high = y_low - pad, y_high + pad
    return x_low, x_high, y_low, y_high


def _usable(y: float, log_y: bool) -> bool:
    return math.isfinite(y) and (y > 0 or not log_y)


def _y(y: float, log_y: bool) -> float:
    return math.log10(y) if log_y else y


class _Dots:
    """A grid of braille cells: dots set per cell and the series that set the last one."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = columns, rows
        self.bits = [[0] * columns for _ in range(rows)]
        self.owner = [[-1] * columns for _ in range(rows)]

    def dot(self, x: int, y: int, series: int) -> None:
        column, row = x >> 1, y >> 2
        if 0 <= column < self.columns and 0 <= row < self.rows:
            self.bits[row][column] |= _DOT[x & 1][y & 3]
            self.owner[row][column] = series

    def line(self, a: tuple[int, int], b: tuple[int, int], series: int) -> None:
        (x0, y0), (x1, y1) = a, b
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        for _ in range(dx - dy + 1):
            self.dot(x0, y0, series)
            if x0 == x1 and y0 == y1:
                return
            twice = 2 * error
            if twice >= dy:
                error += dy
                x0 += sx
            if twice <= dx:
                error += dx
                y0 += sy

    def row_runs(self, row: int) -> list[Run]:
        runs: list[Run] = []
        for bits, owner in zip(self.bits[row], self.owner[row], strict=True):
            text = chr(BRAILLE + bits) if bits else " "
            style = f"series-{owner}" if bits else ""
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + text, style)
            else:
                runs.append((text, style))
        return runs


def draw(
    series: Sequence[Series], width: int, height: int, *, log_y: bool = False
) -> list[list[Run]]:
    """The chart's rows, `height` of them, each `width` cells wide (fewer rows when too small)."""
    bounds = _bounds(series, log_y)
    if width < 12 or height < 3 or bounds is None:
        return []
    x_low, x_high, y_low, y_high = bounds
    plot_rows = height - 2
    y_ticks = nice_ticks(y_low, y_high, max(1, plot_rows // 2))
    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else (y_high - y_low)
    y_labels = [_y_label(tick, y_step, log_y) for tick in y_ticks]
    label_width = max((len(label) for label in y_labels), default=1)
    plot_columns = width - label_width - 1
    if plot_columns < 4:
        return []
    dots = _Dots(plot_columns, plot_rows)
    dot_w, dot_h = plot_columns * 2 - 1, plot_rows * 4 - 1

    def at(x: float, y: float) -> tuple[int, int]:
        return (
            round((x - x_low) / (x_high - x_low) * dot_w),
            round((y_high - _y(y, log_y)) / (y_high - y_low) * dot_h),
        )

    for index, one in enumerate(series):
        previous: tuple[int, int] | None = None
        for x, y in one.points:
            if not _usable(y, log_y):
                previous = None
                continue
            point = at(x, y)
            if previous is None:
                dots.dot(*point, index)
            else:
                dots.line(previous, point, index)
            previous = point
    tick_rows = {
        round((y_high - tick) / (y_high - y_low) * dot_h) >> 2: label
        for tick, label in zip(y_ticks, y_labels, strict=True)
    }
    rows: list[list[Run]] = []
    for row in range(plot_rows):
        label = tick_rows.get(row)
        head: list[Run] = (
            [(label.rjust(label_width), "label"), ("┤", "axis")]
            if label
            else [
                (" " * label_width, ""),
                ("│", "axis"),
            ]
        )
        rows.append(head + dots.row_runs(row))
    x_ticks = nice_ticks(x_low, x_high, max(1, plot_columns // 12))
    rows += _x_axis(x_ticks, x_low, x_high, label_width, plot_columns)
    return rows


def _y_label(tick: float, step: float, log_y: bool) -> str:
    if log_y:
        return f"{10**tick:.2g}"
    return tick_label(tick, step)


def _x_axis(
    ticks: list[float], low: float, high: float, label_width: int, columns: int
) -> list[list[Run]]:
    """The axis line with a mark at each tick, and the tick labels under it (no overlap)."""
    line = ["─"] * columns
    labels = [" "] * (label_width + 1 + columns)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    free_from = 0
    for tick in ticks:
        column = round((tick - low) / (high - low) * (columns - 1))
        if not 0 <= column < columns:
            continue
        line[column] = "┬"
        text = tick_label(tick, step) if step < 1 else f"{tick:,.0f}"
        start = max(0, min(label_width + 1 + column - len(text) // 2, len(labels) - len(text)))
        if start >= free_from:
            labels[start : start + len(text)] = text
            free_from = start + len(text) + 1
    return [
        [(" " * label_width, ""), ("└", "axis"), ("".join(line), "axis")],
        [("".join(labels), "label")],
    ]
