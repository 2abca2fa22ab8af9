"""The detail panel: every field of the highlighted run, checkpoint, session, sampler, model or
usage row (`lazytinker.ui.fields` says what and how), a line per group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from lazytinker.api.models import Checkpoint
from lazytinker.store import Capability, Store
from lazytinker.ui.fields import Field, Fields, fields_of
from lazytinker.ui.text import printable

Part = str | tuple[str, str]
LABEL = "$text-muted"
WEIGHTS_DELAY = 0.3
"""Seconds the cursor rests on a checkpoint before its weights info is asked for."""


def _field(item: Field) -> list[Part]:
    """`label value` with the label dimmed; the value is literal server text."""
    value = printable(item.value)
    return [(f"{item.label} ", LABEL), (value, item.style) if item.style else value, "  "]


def _metadata(metadata: Mapping[str, str] | None) -> list[Part]:
    if not metadata:
        return [("metadata ", LABEL), ("none", LABEL)]
    pairs = ", ".join(f"{k}={v}" for k, v in sorted(metadata.items()))
    return [("metadata ", LABEL), printable(pairs)]


def panel_content(fields: Fields) -> Content:
    """The panel's lines: the title and the first group, then a line per group, metadata."""
    lines: list[list[Part]] = []
    for index, group in enumerate(fields.groups or [[]]):
        line: list[Part] = [(printable(fields.title), "bold"), "  "] if index == 0 else []
        for item in group:
            line += _field(item)
        lines.append(line)
    if fields.has_metadata:
        lines.append(_metadata(fields.metadata))
    parts: list[Part] = []
    for index, line in enumerate(lines):
        if index:
            parts.append("\n")
        parts.extend(line)
    return Content.assemble(*parts)


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
        return panel_content(fields_of(item, store))
