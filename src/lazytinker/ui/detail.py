"""The detail panel: every field of the highlighted run, checkpoint, session, sampler, model or
usage row (`lazytinker.ui.fields` says what and how), a line per group; a run whose log folder
is on this box shows its training first (state, progress, curves: `training_detail`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from lazytinker.api.models import Checkpoint, TrainingRun
from lazytinker.local import LocalRun
from lazytinker.store import Capability, Store
from lazytinker.ui.fields import Field, Fields, fields_of
from lazytinker.ui.text import printable
from lazytinker.ui.training_detail import training_lines

Part = str | tuple[str, str]
LABEL = "$text-muted"
WEIGHTS_DELAY = 0.3
"""Seconds the cursor rests on a checkpoint before its weights info is asked for."""


def _pair(label: str, value: str, style: str = "") -> list[Part]:
    """`label value` with the label dimmed; the value is literal text."""
    shown = printable(value)
    return [(f"{label} ", LABEL), (shown, style) if style else shown, "  "]


def _field(item: Field) -> list[Part]:
    return _pair(item.label, item.value, item.style)


def _metadata(metadata: Mapping[str, str] | None) -> list[Part]:
    if not metadata:
        return [("metadata ", LABEL), ("none", LABEL)]
    pairs = ", ".join(f"{k}={v}" for k, v in sorted(metadata.items()))
    return [("metadata ", LABEL), printable(pairs)]


def _lines(*lines: list[Part]) -> Content:
    parts: list[Part] = []
    for index, line in enumerate(lines):
        if index:
            parts.append("\n")
        parts.extend(line)
    return Content.assemble(*parts)


def panel_content(
    fields: Fields,
    *,
    before: Sequence[list[Part]] = (),
    after_first: Sequence[list[Part]] = (),
) -> Content:
    """The panel's lines: `before` (a run's training), the title and the first group,
    `after_first` (its recipe), then a line per group, then the metadata."""
    lines: list[list[Part]] = list(before)
    for index, group in enumerate(fields.groups or [[]]):
        line: list[Part] = [(printable(fields.title), "bold"), "  "] if index == 0 else []
        for item in group:
            line += _field(item)
        lines.append(line)
        if index == 0:
            lines += after_first
    if fields.has_metadata:
        lines.append(_metadata(fields.metadata))
    return _lines(*lines)


def local_run_detail(
    local: LocalRun, *, width: int = 100, metrics: Sequence[str] | None = None
) -> Content:
    """A log folder on this box: its training, recipe, and the service runs it names."""
    state, curves, recipe = training_lines(local, metrics, width)
    runs = _pair("folder", local.key) + _pair("runs", ", ".join(local.run_ids) or "none yet")
    if local.skipped_lines:
        runs += _pair("unreadable lines", str(local.skipped_lines))
    return _lines(state, curves, recipe, runs)


class DetailPanel(Static):
    """Shows the highlighted item (reading a checkpoint's weights info when the cursor rests
    on it); empty text says what to do."""

    DEFAULT_CSS = """
    DetailPanel { height: 6; border: round $panel-lighten-2; padding: 0 1; }
    """

    def __init__(self, store: Store | None, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.store = store
        self.item: Any = None
        self.metrics: list[str] | None = None
        """The metrics whose curves a run's detail shows (None: its main metrics)."""
        self._shown: str | None = None
        self._weights_timer: Timer | None = None
        self.border_title = "Detail"

    def show(self, item: Any) -> None:
        """Show an item (run, checkpoint, session, sampler, model) or nothing."""
        self.item = item
        self.redraw()

    def follow(self, item: Any) -> None:
        """Show the highlighted item; for a checkpoint, read its weights info once the cursor
        rests there (not for every row it passes on the way)."""
        self.show(item)
        store = self.store
        if store is None or not isinstance(item, Checkpoint) or item.path in store.weights_info:
            return
        if self._weights_timer is not None:
            self._weights_timer.stop()
        path = item.path
        self._weights_timer = self.set_timer(WEIGHTS_DELAY, lambda: self._load_weights(path))

    def _load_weights(self, path: str) -> None:
        if self.store is not None and self.store.supports(Capability.WEIGHTS_INFO):
            self.run_worker(self.store.load_weights_info(path), group="weights")

    def redraw(self) -> None:
        """Render the current item again (its data or the clock changed); repaint only when
        the text changed, so the once-a-minute clock tick of an idle screen writes nothing."""
        content = self._content()
        if content.markup != self._shown:
            self._shown = content.markup
            self.update(content, layout=False)

    def _content(self) -> Content:
        store, item = self.store, self.item
        if store is None or item is None:
            return Content("Nothing highlighted.")
        width = max(40, self.size.width - 4)
        if isinstance(item, LocalRun):
            return local_run_detail(item, width=width, metrics=self.metrics)
        fields = fields_of(item, store)
        if isinstance(item, TrainingRun):
            local = store.local_run(item.training_run_id)
            if local is not None:
                state, curves, recipe = training_lines(local, self.metrics, width)
                return panel_content(fields, before=[state, curves], after_first=[recipe])
        return panel_content(fields)
