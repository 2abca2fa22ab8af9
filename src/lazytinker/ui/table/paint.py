"""Painting a table's lines: columns fitted to a width, the header, one row, the scrollbar.

Server text is painted as plain segments (never parsed as markup); the model has made it
printable already.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from rich.cells import cell_len, set_cell_size
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

from lazytinker.ui.table.column import Column

GAP = 1
"""Cells between two columns."""
GUTTER = 2
"""Cells before the first column: the selection mark (`● `)."""
BAR = 1
"""The scrollbar's width: the table paints its own, in its last column."""


class Layout(msgspec.Struct, frozen=True):
    """The columns that fit a width (indices into the table's columns) and their widths."""

    columns: tuple[int, ...]
    widths: tuple[int, ...]


def fit_columns(columns: Sequence[Column[Any]], width: int) -> Layout:
    """Lay the columns out in `width` cells: the lowest priority go first when they do not all
    fit, flexible columns share what is left."""
    shown = [i for i, c in enumerate(columns) if c.shown is None or c.shown()]
    available = width - GUTTER - 1

    def need(indices: list[int]) -> int:
        return sum((columns[i].width or columns[i].min_width) + GAP for i in indices)

    while len(shown) > 1 and need(shown) > available:
        drop = min(shown, key=lambda i: (columns[i].priority, -i))
        shown.remove(drop)
    widths = [columns[i].width or columns[i].min_width for i in shown]
    spare = available - need(shown)
    flexible = [n for n, i in enumerate(shown) if columns[i].width is None]
    if spare > 0 and flexible:
        for n in flexible:
            widths[n] += spare // len(flexible)
    elif spare < 0:
        widths[-1] = max(3, widths[-1] + spare)
    return Layout(tuple(shown), tuple(widths))


def cut_path(text: str, width: int) -> str | None:
    """`text` (a path, a model name) cut to `width` cells keeping its last parts, the ones that
    tell rows apart: `…/step-000160`, `…/Llama-3.1-8B`; if even the last part is too long,
    its start (`…/Llama-3.3-70B-In…`). None when `text` has no `/` or the cell is tiny."""
    parts = text.split("/")
    if len(parts) < 2 or width < 6:
        return None
    for first in range(1, len(parts)):
        tail = "/".join(parts[first:])
        if cell_len(tail) + 2 <= width:
            return "…/" + tail
    return "…/" + set_cell_size(parts[-1], width - 3) + "…"


def fit(text: str, width: int, align: str, cut: str = "end") -> str:
    """Pad or cut `text` to exactly `width` cells, with `…` where it was cut."""
    length = cell_len(text)
    if length > width:
        if width <= 0:
            return ""
        if cut == "path" and (kept := cut_path(text, width)) is not None:
            return fit(kept, width, align)
        if cut == "middle" and width >= 7 and length == len(text):
            tail = (width - 1) // 2
            return text[: width - 1 - tail] + "…" + text[length - tail :]
        return set_cell_size(text, max(0, width - 1)) + "…"
    if align == "right":
        return " " * (width - length) + text
    return text + " " * (width - length)


def header_strip(
    columns: Sequence[Column[Any]],
    layout: Layout,
    width: int,
    style: Style,
    sort: tuple[str | None, bool],
) -> Strip:
    """The header line: labels, the sorted column's with its direction (`▲`, `▼`)."""
    sort_column, reverse = sort
    segments = [Segment(" " * GUTTER, style)]
    for column_index, cell_width in zip(layout.columns, layout.widths, strict=True):
        column = columns[column_index]
        label = column.label
        if column.key == sort_column:
            label = f"{label}{'▼' if reverse else '▲'}"
        segments.append(Segment(fit(label, cell_width, column.align), style))
        segments.append(Segment(" " * GAP, style))
    used = sum(s.cell_length for s in segments)
    if used < width:
        segments.append(Segment(" " * (width - used), style))
    return Strip(segments).crop(0, width)


def row_strip(
    columns: Sequence[Column[Any]],
    layout: Layout,
    width: int,
    row: tuple[Any, tuple[str, ...]],
    row_style: Style,
    *,
    selected: bool,
    on_cursor: bool,
    style: Callable[[str], Style],
) -> Strip:
    """One row's line: the selection mark, then its cells, each with its column's mark
    (none on the cursor line, which shows in one style)."""
    item, cells = row
    segments = [Segment("● " if selected else "  ", row_style)]
    for column_index, cell_width in zip(layout.columns, layout.widths, strict=True):
        column = columns[column_index]
        text = fit(cells[column_index], cell_width, column.align, column.cut)
        cell_style = row_style
        cell_mark = column.mark(item) if column.mark else None
        if cell_mark and not on_cursor:
            cell_style = cell_style + style(cell_mark)
        segments.append(Segment(text, cell_style))
        segments.append(Segment(" " * GAP, row_style))
    used = sum(s.cell_length for s in segments)
    if used < width:
        segments.append(Segment(" " * (width - used), row_style))
    # One segment per run of a style, not per cell: every segment costs its own escape
    # sequence on the terminal (a repainted row of plain cells shrinks from ~440 to ~110 bytes).
    return Strip(Segment.simplify(segments)).crop(0, width)


def scrollbar_cells(
    track: int, rows: int, position: int, colors: tuple[Color, Color], base: Style | None
) -> list[Segment]:
    """The cells of a vertical scrollbar beside `rows` rows, `track` of them in view from
    `position`; blank when every row fits, as Textual's `overflow: auto` would have it."""
    if rows <= track:
        return [Segment(" " * BAR, base)] * track
    back, bar = colors
    rendered = ScrollBarRender.render_bar(
        size=track,
        virtual_size=rows,
        window_size=track,
        position=position,
        back_color=back,
        bar_color=bar,
    )
    # Without the meta: it names ScrollBar's own mouse actions, which the table lacks.
    return [
        Segment(c.text, c.style.clear_meta_and_links() if c.style else None)
        for c in rendered.segments
    ]
