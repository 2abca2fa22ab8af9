"""The pane the user is in, and what follows it: its `-current` mark (narrow layouts show only
that pane), the detail panel (the row under its cursor) and the status line (its selection and
sizes)."""

from __future__ import annotations

from typing import Any

from textual.widget import Widget

from lazytinker.store import Change
from lazytinker.ui.detail import DetailPanel
from lazytinker.ui.pane import Pane
from lazytinker.ui.status import StatusLine
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.checkpoint_list import CheckpointList


class PaneInUse:
    """Tracks the pane in use for a screen (`owner`) and keeps the detail and status on it."""

    def __init__(self, owner: Widget, detail: DetailPanel, status: StatusLine) -> None:
        self.owner = owner
        self.detail = detail
        self.status = status
        self.pane: Pane | None = None

    @property
    def table(self) -> VirtualTable[Any] | None:
        """The table of the pane in use."""
        return self.pane.table if self.pane is not None else None

    def mark(self, pane: Pane) -> None:
        """Make `pane` the one in use (focus moved into it, or is about to)."""
        if pane is self.pane:
            return
        if self.pane is not None:
            self.pane.remove_class("-current")
        pane.add_class("-current")
        self.pane = pane

    def focus(self, pane: Pane) -> None:
        """Move to `pane`: mark it, show its cursor's row, focus its table after this frame."""
        self.mark(pane)
        # The detail follows the pane: its cursor may not move, so no Highlighted would come.
        self.follow()
        # The pane in use when the frame is done, not `pane`: two moves in one key (a view
        # switch, then drilling to a checkpoint) must not focus the first pane on the way,
        # which would make it current again and hide the second.
        self.owner.call_after_refresh(self._focus_current)

    def _focus_current(self) -> None:
        if self.pane is not None:
            self.pane.table.focus()

    def cursor_moved(self, table: VirtualTable[Any], key: str | None) -> None:
        """A table's cursor moved: if it is the one in use, the detail and status follow (in
        the cursor's own frame: the table calls this before posting its Highlighted)."""
        if table is self.table:
            self.detail.follow(table.get(key) if key else None)
            self.say_status()

    def follow(self) -> None:
        """The detail and status follow the cursor now: after a filter, a sort or a selection
        changed what is shown, or a switch of pane, where the cursor's key may not change."""
        table = self.table
        if table is not None:
            key = table.cursor_key
            self.detail.follow(table.get(key) if key else None)
        self.say_status()

    def say_status(self) -> None:
        """The status line for the pane in use (sizes and selection on a checkpoint list, or
        what the pane says itself: the runs pane's selection)."""
        own = getattr(self.pane, "status_text", None)
        text = own() if callable(own) else None
        self.status.follow(self.table, checkpoints=isinstance(self.pane, CheckpointList), text=text)

    def refresh_detail(self, change: Change) -> None:
        """A store change touched the highlighted row: show it again."""
        table = self.table
        key = table.cursor_key if table is not None else None
        if table is not None and key is not None and (key in change.updated or key in change.added):
            self.detail.show(table.get(key))
