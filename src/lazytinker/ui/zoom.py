"""The zoomed detail (`z`): every field of the highlighted item on a screen of its own, a line
each, so nothing is out of reach on an 80×24 terminal; `J` shows the item's raw JSON instead,
`P` hands that JSON to `$PAGER`; `esc` (or `z`) goes back.

It follows the store while open: the item's new state, its weights info arriving, the clock.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from lazytinker.api.models.structs import WireStruct, wire_data
from lazytinker.store import Change, Store
from lazytinker.ui.fields import Fields, fields_of, record_values
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.text import printable

LABEL = "$text-muted"
GONE = "The item is gone (deleted, or no longer listed)."


def item_json(item: Any) -> str:
    """The item as JSON, indented; control characters escaped, so it is safe to show."""
    if isinstance(item, WireStruct):
        data: Any = wire_data(item)
    elif hasattr(item, "model_dump"):  # a pydantic wire model
        data = item.model_dump(mode="json", exclude_none=False)
    else:
        values = record_values(item)
        data = str(item) if values is None else values
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_nested)
    return "\n".join(printable(line) for line in text.splitlines())


def _nested(value: object) -> Any:
    """What JSON cannot hold as it is: a record inside a record by its fields, else its text."""
    values = record_values(value)
    return str(value) if values is None else values


def zoom_content(fields: Fields) -> Content:
    """The title, then each field on a line of its own, labels aligned; metadata key by key."""
    labels = [f.label for group in fields.groups for f in group]
    metadata = dict(sorted((fields.metadata or {}).items()))
    width = max([len(label) for label in [*labels, "metadata", *metadata]], default=8)
    parts: list[str | tuple[str, str]] = [(printable(fields.title), "bold"), "\n"]
    for group in fields.groups:
        parts.append("\n")
        for item in group:
            value = printable(item.value)
            parts += [(f"{item.label:>{width}}  ", LABEL), (value, item.style), "\n"]
    if fields.has_metadata:
        parts += ["\n", (f"{'metadata':>{width}}  ", LABEL)]
        if not metadata:
            parts += [("none", LABEL), "\n"]
        else:
            parts.append("\n")
            for key, value in metadata.items():
                parts += [(f"{printable(key):>{width}}  ", "bold"), printable(value), "\n"]
    return Content.assemble(*parts)


class ZoomScreen(Screen[None]):
    """The highlighted item in full: its fields a line each, or its raw JSON."""

    DEFAULT_CSS = """
    ZoomScreen #zoom-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    ZoomScreen VerticalScroll { height: 1fr; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,z", "close", "Back", id="zoom_close"),
        Binding("J", "toggle_raw", "Raw JSON", id="raw_json"),
        Binding("P", "pager", "$PAGER", id="pager"),
        Binding("j", "scroll(1)", "Down", show=False, id="zoom_down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="zoom_up"),
    ]

    def __init__(self, store: Store, current: Callable[[], Any], *, raw: bool = False) -> None:
        super().__init__()
        self.store = store
        self.current = current
        """Reads the item now (it may have changed, or gone, since the zoom opened)."""
        self.raw = raw
        self._unsubscribe: Callable[[], None] | None = None
        self._shown: str | None = None

    def compose(self) -> ComposeResult:
        """A title line, the scrolling body, the key bar."""
        yield Static("", id="zoom-title", markup=False)
        with VerticalScroll():
            yield Static("", id="zoom-body", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        """Show the item, and follow the store while open."""
        self._unsubscribe = self.store.subscribe(self._changed)
        self.redraw()
        self.query_one(VerticalScroll).focus()

    def on_unmount(self) -> None:
        """Stop following the store."""
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _changed(self, _change: Change) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Show the item as it is now (repainted only when the text changed)."""
        item = self.current()
        if item is None:
            title, body = "Detail", Content(GONE)
        else:
            fields = fields_of(item, self.store)
            title = "Raw JSON" if self.raw else "Detail"
            body = (
                Content.assemble((printable(fields.title), "bold"), "\n\n", item_json(item))
                if self.raw
                else zoom_content(fields)
            )
        if body.markup + title == self._shown:
            return
        self._shown = body.markup + title
        self.query_one("#zoom-title", Static).update(Content(title))
        self.query_one("#zoom-body", Static).update(body)

    def action_close(self) -> None:
        """Back to where the zoom was opened."""
        self.dismiss(None)

    def action_toggle_raw(self) -> None:
        """Fields or raw JSON."""
        self.raw = not self.raw
        self.redraw()
        self.query_one(VerticalScroll).scroll_home(animate=False)

    def action_scroll(self, lines: int) -> None:
        """`j`/`k`: scroll a line."""
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_relative(y=lines, animate=False, immediate=True)

    def action_pager(self) -> None:
        """Hand the item's JSON to `$PAGER` (`less` when unset), full screen, then come back."""
        item = self.current()
        if item is None:
            self.notify(GONE, severity="warning", markup=False)
            return
        command = shlex.split(os.environ.get("PAGER") or "less")
        try:
            with self.app.suspend():
                subprocess.run(command, input=item_json(item).encode(), check=False)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand the screen to a pager.", markup=False)
        except OSError as error:
            self.notify(
                f"Could not run the pager {command[0]!r}: {error.strerror or error}."
                " Set $PAGER to one that is installed.",
                severity="warning",
                markup=False,
            )
