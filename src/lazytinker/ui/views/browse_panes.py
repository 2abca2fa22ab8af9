"""The three panes of the browse view, each with the keys that work on its rows: sessions (`e`
exports a trace, `v` moves to a project, `y`), training runs (`y`; `d`/`t`/`p`/`s` on all of a
run's checkpoints, `space`/`*` select runs), a run's checkpoints (the checkpoint keys, `y`,
`S`/`A`/`E`, `F` follow, `M` a metric column: `run_checkpoints.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.timer import Timer

from lazytinker import human
from lazytinker.api.models import TrainingRun
from lazytinker.store import Capability, SessionInfo, Store
from lazytinker.ui import columns as cols
from lazytinker.ui.actions.copy import COPY_PATH, CopyPathKey
from lazytinker.ui.actions.downloads import export_trace
from lazytinker.ui.actions.projects import MOVE_SESSION_KEY, move_session
from lazytinker.ui.actions.runs import RUN_BINDINGS, RunKeys
from lazytinker.ui.cost import size_and_cost
from lazytinker.ui.filter_fields import metadata_text, run_fields
from lazytinker.ui.offered import offered
from lazytinker.ui.pane import Pane
from lazytinker.ui.run_totals import RunTotalColumns
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import fresh_mark
from lazytinker.ui.views.run_checkpoints import RunCheckpointsPane


class SessionsPane(Pane, CopyPathKey):
    """Sessions: `enter` shows a session's runs, `e` exports its trace, `y` copies its id."""

    HELP_ROWS = "On sessions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export_trace", "Export trace", id="export_trace"),
        Binding(MOVE_SESSION_KEY, "move_session", "Move to project", show=False, id="move_session"),
        COPY_PATH,
    ]

    def __init__(self, store: Store) -> None:
        table: VirtualTable[SessionInfo] = VirtualTable(
            cols.session_columns(store),
            key=lambda s: s.session_id,
            row_mark=fresh_mark(store),
            empty_text="No sessions yet.",
            id="sessions",
        )
        table.activatable = True
        super().__init__("Sessions", table, id="sessions-pane")
        self.store = store

    def copy_text(self) -> str | None:
        """The highlighted session's id."""
        item = self.highlighted()
        return item.session_id if isinstance(item, SessionInfo) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey or hide what the server lacks (`ui.offered`)."""
        if action == "export_trace":
            return offered(self.store, Capability.TRACE_EXPORT)
        if action == "move_session":
            return offered(self.store, Capability.PROJECTS)
        return super().check_action(action, parameters)

    @work(group="action")
    async def action_move_session(self) -> None:
        """`v` (mv): move the highlighted session (its runs and samplers) to another project."""
        key = self.table.cursor_key
        if key is None:
            self.notify("Highlight a session to move.", severity="warning", markup=False)
            return
        await move_session(self, self.store, key)

    @work(group="action")
    async def action_export_trace(self) -> None:
        """`e`: save the highlighted session's trace export, after asking where (the server
        builds it first)."""
        app = self.app
        manager = getattr(app, "downloads", None)
        key = self.table.cursor_key
        if manager is None or key is None:
            self.notify(
                "Highlight a session to export its trace.", severity="warning", markup=False
            )
            return
        await export_trace(
            self, manager, key, directory=getattr(app, "download_directory", "~/tinker-checkpoints")
        )


TOTALS_DELAY = 0.2
"""Seconds of quiet before the runs on screen are counted, or new counts repainted."""


class RunsPane(Pane, RunKeys, CopyPathKey):
    """Training runs with their checkpoints counted: `enter` shows a run's checkpoints, `y`
    copies its id, `d`/`t`/`p`/`s` act on all of the selected (or highlighted) runs'
    checkpoints."""

    HELP_ROWS = "On runs"
    BINDINGS: ClassVar[list[BindingType]] = [*RUN_BINDINGS, COPY_PATH]

    def __init__(self, store: Store) -> None:
        self.totals = RunTotalColumns(store)
        table: VirtualTable[TrainingRun] = VirtualTable(
            [*cols.run_columns(store), *self.totals.columns()],
            key=lambda r: r.training_run_id,
            row_mark=fresh_mark(store),
            empty_text="No training runs yet: runs you start with the Tinker SDK appear here.",
            id="runs",
        )
        table.empty.scoped = "No training runs in this session yet."
        table.activatable = True
        table.model.fields = run_fields(lambda: store.moment, store.run_totals.get)
        table.model.extra_text = metadata_text
        super().__init__("Training runs", table, selectable=True, id="runs-pane")
        self.store = store
        self._recounted: set[str] = set()
        self._totals_timer: Timer | None = None

    def on_mount(self) -> None:
        """Count the runs on screen whenever the rows on screen change (scroll, resize)."""
        self.watch(self.table, "scroll_y", lambda _y: self.count_on_screen(), init=False)
        self.watch(self.table, "size", lambda _s: self.count_on_screen(), init=False)

    def copy_text(self) -> str | None:
        """The highlighted run's id."""
        item = self.highlighted()
        return item.training_run_id if isinstance(item, TrainingRun) else None

    def run_targets(self) -> list[str]:
        """The selected runs (even those a filter hides), else the highlighted one."""
        selected = [r.training_run_id for r in self.table.selected_items()]
        if selected:
            return selected
        key = self.table.cursor_key
        return [key] if key is not None else []

    def runs_done(self) -> None:
        """Drop the selection once it has been acted on."""
        if self.table.selected:
            self.table.selected.clear()
            self.table.refresh()
        self.update_title()
        self.changed()

    # --- the counts ------------------------------------------------------------------------

    def count_on_screen(self) -> None:
        """Ask the store to count the runs on screen, once the scrolling pauses."""
        self._later()

    def totals_changed(self, run_ids: Iterable[str]) -> None:
        """The store counted some runs again: repaint them, once the changes pause (a bulk
        delete changes a run's count 2,000 times)."""
        self._recounted.update(run_ids)
        self._later()

    def _later(self) -> None:
        if self._totals_timer is None and self.is_mounted:
            self._totals_timer = self.set_timer(TOTALS_DELAY, self._flush_totals)

    def _flush_totals(self) -> None:
        self._totals_timer = None
        recounted, self._recounted = self._recounted, set()
        held = self.table.model.items
        self.totals.update(self.table, [r for r in recounted if r in held])
        if self.display and self.table.size.height:
            self.store.run_totals.want(self.table.rows_on_screen())
        if recounted:
            self.changed()

    def status_text(self) -> str | None:
        """The status line on this pane: the selected runs' checkpoints, size and cost."""
        runs = self.table.selected_items()
        if not runs:
            return "enter opens · space/* select · d t p s: every checkpoint of the run · C plan"
        counted = [self.store.run_totals.get(r.training_run_id) for r in runs]
        known = [t for t in counted if t is not None]
        count = sum(t.count for t in known)
        size = sum(t.size_bytes for t in known)
        more = f" (+{len(runs) - len(known)} not counted yet)" if len(known) < len(runs) else ""
        return (
            f"{human.count(len(runs), 'run')} selected"
            f" · {human.count(count, 'checkpoint')}{more} · "
            f"{size_and_cost(self.store, size)} · d/t/p/s act on all of them  C plan"
        )


__all__ = ["RunCheckpointsPane", "RunsPane", "SessionsPane"]
