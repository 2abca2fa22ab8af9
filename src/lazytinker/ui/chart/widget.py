"""`MetricChart`: the chart of the metrics view, painted line by line from `canvas.draw`.

A legend line on top names each line (run and metric) with its latest value, in its colour;
the chart fills the rest. The drawing is made once per change of data or size and kept, so a
repaint (a cursor moving elsewhere, a toast) costs a list lookup per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from lazytinker.ui.chart.canvas import Run, Series, draw
from lazytinker.ui.text import printable

PALETTE_SIZE = 6


@dataclass(frozen=True, slots=True)
class ChartLine:
    """One line of the chart: its label, its (step, value) points and its latest value."""

    label: str
    points: Sequence[tuple[float, float]]
    latest: float | None = None


class MetricChart(Widget):
    """Lines over steps with axes; `set_lines` gives it new data (it repaints once)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "metric-chart--axis",
        "metric-chart--label",
        "metric-chart--empty",
        *(f"metric-chart--series-{i}" for i in range(PALETTE_SIZE)),
    }

    DEFAULT_CSS = """
    MetricChart { height: 1fr; background: $surface; }
    MetricChart > .metric-chart--axis { color: $text-muted; }
    MetricChart > .metric-chart--label { color: $text-muted; }
    MetricChart > .metric-chart--empty { color: $text-muted; text-style: italic; }
    MetricChart > .metric-chart--series-0 { color: $accent; }
    MetricChart > .metric-chart--series-1 { color: $success; }
    MetricChart > .metric-chart--series-2 { color: $warning; }
    MetricChart > .metric-chart--series-3 { color: $error; }
    MetricChart > .metric-chart--series-4 { color: $secondary; }
    MetricChart > .metric-chart--series-5 { color: $primary; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[ChartLine] = []
        self.log_y = False
        self.empty_text = "Nothing to chart yet."
        self._drawn: tuple[tuple[int, int], list[list[Run]]] | None = None

    def set_lines(self, lines: Sequence[ChartLine], *, empty_text: str | None = None) -> None:
        """Chart these lines (the palette cycles past six); repaint once."""
        self.lines = list(lines)
        if empty_text is not None:
            self.empty_text = empty_text
        self._drawn = None
        self.refresh()

    def toggle_log(self) -> bool:
        """A logarithmic value axis on or off (values at or below zero are left out)."""
        self.log_y = not self.log_y
        self._drawn = None
        self.refresh()
        return self.log_y

    def on_resize(self) -> None:
        """Another size: draw again."""
        self._drawn = None

    def _rows(self) -> list[list[Run]]:
        size = (self.size.width, self.size.height)
        if self._drawn is None or self._drawn[0] != size:
            series = [Series(line.points) for line in self.lines]
            rows = draw(series, size[0], max(0, size[1] - 1), log_y=self.log_y)
            self._drawn = (size, rows)
        return self._drawn[1]

    def _style(self, name: str) -> Style:
        if not name:
            return self.rich_style
        if name.startswith("series-"):
            name = f"series-{int(name[7:]) % PALETTE_SIZE}"
        return self.rich_style + self.get_component_rich_style(f"metric-chart--{name}")

    def render_line(self, y: int) -> Strip:
        """Line 0 is the legend; then the chart's rows."""
        width = self.size.width
        if y == 0:
            return self._legend(width)
        rows = self._rows()
        if not rows:
            if y == 1:
                text = set_cell_size(f" {self.empty_text}", width)
                return Strip([Segment(text, self._style("empty"))], width)
            return Strip.blank(width, self.rich_style)
        if y - 1 >= len(rows):
            return Strip.blank(width, self.rich_style)
        segments = [Segment(text, self._style(style)) for text, style in rows[y - 1]]
        return Strip(segments).adjust_cell_length(width, self.rich_style)

    def _legend(self, width: int) -> Strip:
        segments: list[Segment] = []
        used = 0
        for index, line in enumerate(self.lines):
            value = "" if line.latest is None else f" {line.latest:.4g}"
            text = f"■ {printable(line.label)}{value}  "
            if used + cell_len(text) > width:
                rest = width - used
                if rest > 1:
                    segments.append(Segment(set_cell_size(text, rest - 1) + "…", self.rich_style))
                used = width
                break
            segments.append(Segment(text, self._style(f"series-{index}")))
            used += cell_len(text)
        return Strip(segments).adjust_cell_length(width, self.rich_style)
