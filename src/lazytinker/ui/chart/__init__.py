"""The metrics chart: braille lines with axes on Textual's line API (imported when first shown).

- `canvas`: the drawing, without Textual: series in, rows of styled text out.
- `widget`: `MetricChart`, which paints those rows and a legend, redrawn only when its data or
  its size changed.

Why hand-drawn rather than textual-plotext: see `benchmarks/chart.py` and the README (import
cost, memory, bytes written per frame over SSH).
"""

from lazytinker.ui.chart.canvas import Series, draw
from lazytinker.ui.chart.widget import ChartLine, MetricChart

__all__ = ["ChartLine", "MetricChart", "Series", "draw"]
