"""The main screen's clean-up keys: `C` opens the retention planner, `X` cancels a bulk action;
and the header's count of checkpoints expiring within a day kept current.

A base of `MainScreen` (Textual merges the bindings of every screen class it derives from),
so that the screen itself keeps to routing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

from lazytinker.store import Change, Store
from lazytinker.ui.header import HeaderLine
from lazytinker.ui.pane_in_use import PaneInUse
from lazytinker.ui.views.browse import BrowseView


class CleanupKeys(Screen[None]):
    """`C` and `X` on the main screen; the header redrawn as checkpoints change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("X", "cancel_operation", "Cancel bulk action", show=False, id="cancel_bulk"),
        Binding("C", "cleanup", "Clean-up plan", id="cleanup"),
    ]

    store: Store
    header: HeaderLine
    in_use: PaneInUse
    browse: BrowseView
    _stop_expiring: Callable[[], None] | None = None

    def on_mount(self) -> None:
        """Redraw the header (its count expiring within a day) when checkpoints change."""
        self._stop_expiring = self.store.subscribe(self._checkpoints_changed)

    def on_unmount(self) -> None:
        """Stop listening."""
        if self._stop_expiring is not None:
            self._stop_expiring()

    def _checkpoints_changed(self, change: Change) -> None:
        name = change.collection
        if name == "user_checkpoints" or name.startswith("checkpoints:"):
            self.header.redraw_soon()

    def action_cleanup(self) -> None:
        """`C`: the retention planner, for the highlighted or selected runs (or every run)."""
        from lazytinker.store.planner import PlanChoice
        from lazytinker.ui.views.planner import PlannerScreen, planner_scope

        scope = planner_scope(self.in_use.pane, self.browse)
        app: Any = self.app
        choice = app.plan_choice or PlanChoice()
        self.app.push_screen(
            PlannerScreen(self.store, scope, choice, getattr(app, "save_plan", None))
        )

    def action_cancel_operation(self) -> None:
        """`X`: cancel the bulk action in progress; what is done stays done."""
        if self.store.cancel_operation():
            self.notify("Cancelling: the calls in flight finish, no new one starts.", timeout=3)
